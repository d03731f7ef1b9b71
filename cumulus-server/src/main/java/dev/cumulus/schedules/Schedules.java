package dev.cumulus.schedules;

import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.store.Database;
import dev.cumulus.web.Mount;
import java.time.Clock;

/** The schedules capability as the node wires it: the dispatcher thread and the admin mount. */
public final class Schedules implements AutoCloseable {
    /** The one project a node has until projects exist. */
    public static final String DEFAULT_PROJECT = "default";

    private final Dispatcher dispatcher;
    private final SchedulesAdmin admin;

    private Schedules(Dispatcher dispatcher, SchedulesAdmin admin) {
        this.dispatcher = dispatcher;
        this.admin = admin;
    }

    /** Starts the dispatcher; ticks missed while the node was down are caught up at once. */
    public static Schedules start(Database db, Invoker invoker, AsyncInvoker async, Clock clock) {
        ScheduleStore store = new ScheduleStore(db);
        Dispatcher dispatcher = new Dispatcher(store, async, clock);
        SchedulesAdmin admin = new SchedulesAdmin(store, DEFAULT_PROJECT, invoker, dispatcher, clock);
        dispatcher.start();
        return new Schedules(dispatcher, admin);
    }

    /** {@code /v1/schedules} (root token). */
    public Mount mount() {
        return admin;
    }

    @Override
    public void close() {
        dispatcher.close();
    }
}
