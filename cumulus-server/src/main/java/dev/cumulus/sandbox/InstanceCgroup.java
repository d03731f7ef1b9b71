package dev.cumulus.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The cgroup(s) of one instance, across whichever hierarchies the host has. */
interface InstanceCgroup {
    /** The cgroup.procs files a process must write its pid to, to be limited. */
    List<Path> procsFiles();

    /** Every pid currently in the instance's cgroup. */
    Set<Long> pids();

    /** How many times the kernel OOM-killed a process of this cgroup. */
    long oomKills();

    /** How many times a fork or clone was refused by pids.max. */
    long pidsLimitHits();

    /** Memory charged to the cgroup (what the limit is enforced against), or -1. */
    long usageBytes();

    /** SIGKILLs everything in the cgroup; does not wait. */
    void killAll();

    /** Removes the cgroup directories; the cgroup must be empty. Idempotent. */
    void remove();
}
