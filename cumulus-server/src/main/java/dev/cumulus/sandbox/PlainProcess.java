package dev.cumulus.sandbox;

import dev.cumulus.files.FileTrees;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An unsandboxed child process. Descendants are found through ProcessHandle, so one that
 * daemonises (re-parents to init) escapes destroy(); only a cgroup could catch it.
 */
final class PlainProcess extends ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(PlainProcess.class);

    private final Path privateDir;

    PlainProcess(Process process, Path privateDir) {
        super(process, "plain-exit");
        this.privateDir = privateDir;
        watchExit();
    }

    @Override
    ExitStatus finish(int code, boolean destroyed) {
        try {
            FileTrees.delete(privateDir);
        } catch (RuntimeException e) {
            log.warn("instance pid {}: private dir {} left behind", pid(), privateDir, e);
        }
        return destroyed ? new ExitStatus.Destroyed() : ExitCodes.toStatus(code);
    }

    @Override
    void kill() {
        if (!ProcessTree.kill(process.toHandle(), KILL_TIMEOUT)) {
            log.error("instance pid {}: processes survived SIGKILL for {}", pid(), KILL_TIMEOUT);
        }
    }

    @Override
    public long residentBytes() {
        return process.isAlive() ? ProcessTree.residentBytes(process.toHandle()) : 0;
    }

    @Override
    public boolean pidsLimitReached() {
        return false;
    }
}
