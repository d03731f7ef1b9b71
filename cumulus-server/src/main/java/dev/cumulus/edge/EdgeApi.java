package dev.cumulus.edge;

import dev.cumulus.auth.RootToken;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.logs.LogStore;
import dev.cumulus.metering.Usage;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.scheduler.Scheduler;
import java.time.Clock;

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
        Clock clock) {}
