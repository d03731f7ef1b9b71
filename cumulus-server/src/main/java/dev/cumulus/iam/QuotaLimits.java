package dev.cumulus.iam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each project's {@link Quotas.Limits}, kept in the Store ({@code iam_quotas}) and read through a
 * {@link TtlCache}: the invoker asks for them on every invocation. {@code GET /v1/quotas} shows a
 * project its own; {@code PUT /v1/quotas} sets them, by the root principal only (a project's own
 * admins must not raise their limits).
 */
public final class QuotaLimits {
    /** The body's fields, in the order of the table's columns. */
    private static final List<String> FIELDS = List.of("functions", "concurrentInstances", "codeBytes",
            "invocationsPerSecond");

    private final Database db;
    private final Iam iam;
    private final Clock clock;
    private final TtlCache<String, Quotas.Limits> cache;

    public QuotaLimits(Database db, Iam iam, Clock clock) {
        this.db = db;
        this.iam = iam;
        this.clock = clock;
        this.cache = new TtlCache<>(clock);
    }

    /** The project's limits; unlimited where none is set. */
    public Quotas.Limits of(String project) {
        return cache.get(project, this::load).orElseGet(Quotas.Limits::new);
    }

    private Optional<Quotas.Limits> load(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT functions, concurrent_instances, code_bytes, "
                    + "invocations_per_second FROM iam_quotas WHERE project = ?")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Quotas.Limits limits = new Quotas.Limits();
                    limits.functions = column(rs, 1);
                    limits.concurrentInstances = column(rs, 2);
                    limits.codeBytes = column(rs, 3);
                    limits.invocationsPerSecond = column(rs, 4);
                    return Optional.of(limits);
                }
            }
        });
    }

    private static long column(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? Quotas.Limits.UNLIMITED : value;
    }

    /** Replaces the project's limits: every field given is a limit, every field left out none. */
    public Quotas.Limits set(String project, JsonNode body) {
        for (var field : body.properties()) {
            if (!FIELDS.contains(field.getKey())) {
                throw ApiException.badRequest("InvalidQuota", "unknown field '" + field.getKey() + "'; quotas are "
                        + String.join(", ", FIELDS));
            }
        }
        Long[] values = new Long[FIELDS.size()]; // in the order of FIELDS, the table's columns
        for (int i = 0; i < values.length; i++) {
            JsonNode value = body.get(FIELDS.get(i));
            if (value != null && !value.isNull()) {
                if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1) {
                    throw ApiException.badRequest("InvalidQuota", "'" + FIELDS.get(i) + "' must be a whole number of "
                            + "at least 1, or null for no limit");
                }
                values[i] = value.asLong();
            }
        }
        Quotas.Limits limits = new Quotas.Limits();
        if (values[0] != null) limits.functions(values[0]);
        if (values[1] != null) limits.concurrentInstances(values[1]);
        if (values[2] != null) limits.codeBytes(values[2]);
        if (values[3] != null) limits.invocationsPerSecond(values[3]);
        long now = clock.millis();
        db.inTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM iam_quotas WHERE project = ?")) {
                delete.setString(1, project);
                delete.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO iam_quotas (project, functions, "
                    + "concurrent_instances, code_bytes, invocations_per_second, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, project);
                for (int k = 0; k < values.length; k++) {
                    if (values[k] == null) {
                        insert.setNull(k + 2, java.sql.Types.BIGINT);
                    } else {
                        insert.setLong(k + 2, values[k]);
                    }
                }
                insert.setLong(6, now);
                return insert.executeUpdate();
            }
        });
        cache.forget(project);
        return limits;
    }

    /** {@code GET /v1/quotas} and {@code PUT /v1/quotas}, in the request's project. */
    public List<Route> routes() {
        return List.of(
                Route.get("/v1/quotas").authorize("iam:GetQuotas", "iam", "quotas")
                        .handle(call -> call.json(200, view(call.project(), of(call.project())))),
                Route.put("/v1/quotas").authorize("iam:PutQuotas", "iam", "quotas").handle(this::put));
    }

    private void put(Call call) throws java.io.IOException {
        // a project's admins may hold iam:* in their project; its limits are the operator's
        iam.requireRoot(call.principal(), "iam:PutQuotas", Crn.of("iam", call.project(), "quotas"),
                call.facts().source(), "only root sets quotas");
        JsonNode body = Json.parseObject(Exchange.readBody(call.request(), 4096));
        call.json(200, view(call.project(), set(call.project(), body)));
    }

    private static Map<String, Object> view(String project, Quotas.Limits limits) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("project", project);
        view.put("functions", shown(limits.functions));
        view.put("concurrentInstances", shown(limits.concurrentInstances));
        view.put("codeBytes", shown(limits.codeBytes));
        view.put("invocationsPerSecond", shown(limits.invocationsPerSecond));
        return view;
    }

    private static Long shown(long value) {
        return value == Quotas.Limits.UNLIMITED ? null : value;
    }
}
