package dev.cumulus.edge;

import dev.cumulus.async.AsyncDelivery;
import dev.cumulus.functions.Functions;
import dev.cumulus.iam.Guard;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.logs.LogStore;
import dev.cumulus.metering.Usage;
import dev.cumulus.routes.EndUserVerifier;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.scheduler.Scheduler;
import dev.cumulus.web.Api;
import dev.cumulus.web.Route;
import java.time.Clock;
import java.util.List;

/**
 * What the edge serves from: the capabilities behind the REST API.
 *
 * @param routes the REST API routes other capabilities own (topics, routes, schedules, ...),
 *     served beside the edge's own
 * @param apis APIs with their own prefixes, authentication and error dialect (the Lambda API)
 * @param endUsers checks end users' access tokens for function URLs with {@code urlAuth: user}
 */
public record EdgeApi(
        Guard guard,
        FunctionRegistry registry,
        Scheduler scheduler,
        Invoker invoker,
        LogStore logs,
        Usage usage,
        Runnable flushMetering,
        long maxCodeBytes,
        Clock clock,
        List<Route> routes,
        List<Api.Builder> apis,
        AsyncDelivery async,
        Functions functions,
        EndUserVerifier endUsers) {}
