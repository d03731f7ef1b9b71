package dev.cumulus.schedules;

import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.registry.FunctionDependents;
import dev.cumulus.store.Database;
import dev.cumulus.web.Route;
import java.time.Clock;
import java.util.List;

/** The schedules capability as the node wires it: the dispatcher thread and the admin mount. */
public final class Schedules implements AutoCloseable {

    private final ScheduleStore store;
    private final Dispatcher dispatcher;
    private final SchedulesAdmin admin;

    private Schedules(ScheduleStore store, Dispatcher dispatcher, SchedulesAdmin admin) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.admin = admin;
    }

    /** Starts the dispatcher; ticks missed while the node was down are caught up at once. */
    public static Schedules start(Database db, Invoker invoker, AsyncInvoker async, Clock clock) {
        ScheduleStore store = new ScheduleStore(db);
        Dispatcher dispatcher = new Dispatcher(store, async, clock);
        SchedulesAdmin admin = new SchedulesAdmin(store, invoker, dispatcher, clock);
        dispatcher.start();
        return new Schedules(store, dispatcher, admin);
    }

    /** The {@code /v1/schedules} routes of the edge's API. */
    public List<Route> routes() {
        return admin.routes();
    }

    /** The schedules that invoke a function, for deleting it (dev.cumulus.functions.Functions). */
    public FunctionDependents dependents() {
        return new FunctionDependents() {
            @Override
            public List<Dependent> of(String project, String function) {
                return naming(project, function).stream()
                        .map(s -> new Dependent("schedule", s.name(), s.name(), s.function())).toList();
            }

            @Override
            public void remove(String project, String function) {
                for (Schedule schedule : naming(project, function)) {
                    store.delete(project, schedule.name());
                }
            }
        };
    }

    private List<Schedule> naming(String project, String function) {
        return store.list(project).stream().filter(s -> FunctionDependents.names(s.function(), function)).toList();
    }

    @Override
    public void close() {
        dispatcher.close();
    }
}
