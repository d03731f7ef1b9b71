package dev.cumulus.edge;

import dev.cumulus.async.AsyncDelivery;
import dev.cumulus.auth.RootToken;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.logs.LogStore;
import dev.cumulus.metering.Usage;
import dev.cumulus.registry.FunctionDeletion;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.scheduler.Scheduler;
import dev.cumulus.web.Mount;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;

/** What the edge serves from: the capabilities behind the REST API. */
public record EdgeApi(
        RootToken token,
        FunctionRegistry registry,
        Scheduler scheduler,
        Invoker invoker,
        LogStore logs,
        Usage usage,
        Runnable flushMetering,
        long maxCodeBytes,
        Clock clock,
        List<Mount> mounts,
        AsyncDelivery async,
        FunctionDeletion deletion) {

    public EdgeApi {
        // longest prefix first, so the most specific mount wins
        mounts = mounts.stream().sorted(Comparator.comparingInt((Mount m) -> m.prefix().length()).reversed()).toList();
    }
}
