package dev.cumulus.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The FunctionRegistry contract; one subclass per Store backend runs it. */
abstract class RegistryContract {
    static final String HANDLER = "com.example.Hello";
    static final long LIMIT = 1_000_000;

    @TempDir
    Path dir;

    TestDatabase test;
    Path codeDir;
    FunctionRegistry registry;
    CodeRef helloCode;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        codeDir = dir.resolve("code");
        registry = FunctionRegistry.open(test.db(), codeDir, guard());
        helloCode = store(Zips.withClasses("com/example/Hello.class", "com/example/Other.class"));
    }

    /** This test's directory stands for the node's own state. */
    MountGuard guard() {
        try {
            return MountGuard.protecting(List.of(dir));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void close() {
        test.close();
    }

    // ---- functions

    @Test
    void deletesOnePublishedVersionUnlessAnAliasUsesIt() {
        registry.put(config("v"), helloCode.sha256());
        registry.publish("v");
        registry.publish("v");
        registry.createAlias("v", "live", new Alias.Spec("1", null, null));

        assertThatThrownBy(() -> registry.deleteVersion("v", "1"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThat(registry.deleteVersion("v", "2")).isTrue();
        assertThat(registry.deleteVersion("v", "2")).isFalse();
        assertThat(registry.versions("v")).extracting(FunctionVersion::version).containsExactly("1");
        assertThatThrownBy(() -> registry.resolve("v", "2")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> registry.deleteVersion("v", "$LATEST"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        // numbers are never reused: the next publish is 3
        registry.put(config("v").withPublicUrl(true), null);
        assertThat(registry.publish("v").version()).isEqualTo("3");
    }

    @Test
    void namesAreUniquePerProjectAndEachProjectSeesOnlyItsOwn() {
        FunctionRegistry alpha = registry.project("alpha");
        FunctionRegistry beta = registry.project("beta");
        CodeRef otherCode = store(Zips.withClasses("com/example/Other.class"));
        alpha.put(config("hello"), helloCode.sha256());
        beta.put(FunctionConfig.defaults("hello", "com.example.Other"), otherCode.sha256());

        assertThat(alpha.project()).isEqualTo("alpha");
        assertThat(alpha.get("hello").orElseThrow().code()).isEqualTo(helloCode);
        assertThat(beta.get("hello").orElseThrow().code()).isEqualTo(otherCode);
        assertThat(alpha.get("hello").orElseThrow().project()).isEqualTo("alpha");
        assertThat(registry.get("hello")).isEmpty();
        assertThat(registry.list()).isEmpty();
        assertThat(registry.projects()).containsExactly("alpha", "beta");
        FunctionVersion resolved = beta.resolve("hello", null);
        assertThat(resolved.project()).isEqualTo("beta");
        assertThat(resolved.config().handler()).isEqualTo("com.example.Other");
        assertThat(alpha.resolve("hello", null).config().handler()).isEqualTo(HANDLER);

        // versions and aliases are numbered and named per function, so per project
        assertThat(alpha.publish("hello").version()).isEqualTo("1");
        alpha.createAlias("hello", "live", new Alias.Spec("1", null, null));
        assertThat(beta.versions("hello")).isEmpty();
        assertThat(beta.aliases("hello")).isEmpty();
        assertThatThrownBy(() -> beta.resolve("hello", "1"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> beta.resolve("hello", "live"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(beta.publish("hello").version()).isEqualTo("1");
        assertThat(beta.resolve("hello", "1").config().handler()).isEqualTo("com.example.Other");
        assertThat(alpha.resolve("hello", "live").config().handler()).isEqualTo(HANDLER);

        // a delete takes one project's function and leaves the other's
        assertThat(beta.delete("hello")).isTrue();
        assertThat(beta.get("hello")).isEmpty();
        assertThatThrownBy(() -> beta.resolve("hello", null)).isInstanceOf(ApiException.class);
        assertThat(alpha.resolve("hello", null).config().handler()).isEqualTo(HANDLER);
        assertThat(alpha.versions("hello")).extracting(FunctionVersion::version).containsExactly("1");
    }

    @Test
    void refusesMalformedProjectNames() {
        for (String bad : List.of("", "Upper", "a/b", "a\u0000b", "-lead", "x".repeat(64))) {
            assertThatThrownBy(() -> registry.project(bad)).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidProject"));
        }
    }

    @Test
    void createsGetsListsUpdatesAndDeletes() {
        FunctionInfo created = registry.put(config("hello"), helloCode.sha256());

        assertThat(created.name()).isEqualTo("hello");
        assertThat(created.code()).isEqualTo(helloCode);
        assertThat(created.createdAt()).isEqualTo(created.updatedAt());
        assertThat(registry.get("hello")).contains(created);
        registry.put(config("another"), helloCode.sha256());
        assertThat(registry.list()).extracting(FunctionInfo::name).containsExactly("another", "hello");

        FunctionConfig changed = with(config("hello"), c -> new FunctionConfig(c.name(), c.runtime(), "com.example.Other::handle",
                512, 60, Map.of("KEY", "value"), 5, 2, 600, true));
        FunctionInfo updated = registry.put(changed, null);

        assertThat(updated.config()).isEqualTo(changed);
        assertThat(updated.code()).isEqualTo(helloCode);
        assertThat(updated.revision()).isNotEqualTo(created.revision());
        assertThat(updated.createdAt()).isEqualTo(created.createdAt());
        assertThat(updated.updatedAt()).isAfterOrEqualTo(created.updatedAt());
        assertThat(registry.get("hello")).contains(updated);

        assertThat(registry.delete("hello")).isTrue();
        assertThat(registry.delete("hello")).isFalse();
        assertThat(registry.get("hello")).isEmpty();
        assertThat(registry.list()).extracting(FunctionInfo::name).containsExactly("another");
    }

    @Test
    void updatingCodeChangesTheRevisionAndAnUnchangedPutDoesNot() {
        FunctionInfo created = registry.put(config("f"), helloCode.sha256());
        assertThat(registry.put(config("f"), helloCode.sha256())).isEqualTo(created);
        assertThat(registry.put(config("f"), null)).isEqualTo(created);

        CodeRef newCode = store(Zips.withClasses("com/example/Hello.class", "extra.txt"));
        FunctionInfo updated = registry.put(config("f"), newCode.sha256());

        assertThat(updated.code()).isEqualTo(newCode);
        assertThat(updated.revision()).isNotEqualTo(created.revision());
    }

    @Test
    void storesTheWholeConfigurationIncludingNullKeepAlive() {
        FunctionConfig config = new FunctionConfig(
                "full", "java25", "com.example.Hello::handleRequest", 10240, 900, Map.of("A", "1", "_b2", "x y"), 1000, 1000, null, true);
        registry.put(config, helloCode.sha256());

        assertThat(registry.get("full").orElseThrow().config()).isEqualTo(config);
    }

    @Test
    void concurrentUpdatesAllLandAndLeaveOneOfThem() throws Exception {
        registry.put(config("busy"), helloCode.sha256());
        List<FunctionInfo> results = inParallel(12, i -> registry.put(
                with(config("busy"), c -> new FunctionConfig(c.name(), c.runtime(), c.handler(), 128 + i, 30,
                        Map.of(), 10, 1, null, false)), null));

        FunctionInfo last = registry.get("busy").orElseThrow();
        assertThat(results).extracting(FunctionInfo::revision).doesNotHaveDuplicates().contains(last.revision());
    }

    // ---- validation

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                invalid("InvalidName", c -> rename(c, "")),
                invalid("InvalidName", c -> rename(c, "x".repeat(65))),
                invalid("InvalidName", c -> rename(c, "has space")),
                invalid("InvalidName", c -> rename(c, "dots.not.ok")),
                invalid("InvalidName", c -> rename(c, "ünïcode")),
                invalid("UnsupportedRuntime", c -> new FunctionConfig(c.name(), "java21", c.handler(), c.memoryMb(),
                        c.timeoutSeconds(), c.environment(), c.maxInstances(), c.concurrency(), c.keepAliveSeconds(), false)),
                invalid("UnsupportedRuntime", c -> new FunctionConfig(c.name(), null, c.handler(), c.memoryMb(),
                        c.timeoutSeconds(), c.environment(), c.maxInstances(), c.concurrency(), c.keepAliveSeconds(), false)),
                invalid("InvalidHandler", c -> handler(c, "")),
                invalid("InvalidHandler", c -> handler(c, null)),
                invalid("InvalidHandler", c -> handler(c, "1com.Hello")),
                invalid("InvalidHandler", c -> handler(c, "com..Hello")),
                invalid("InvalidHandler", c -> handler(c, "com.Hello.")),
                invalid("InvalidHandler", c -> handler(c, "com.Hello::")),
                invalid("InvalidHandler", c -> handler(c, "com.Hello::1x")),
                invalid("InvalidHandler", c -> handler(c, "com.Hello::a::b")),
                invalid("InvalidHandler", c -> handler(c, "com.class.Hello")),
                invalid("InvalidHandler", c -> handler(c, "com/example/Hello")),
                invalid("InvalidParameter", c -> numbers(c, 127, 30, 10, 1, null), "memoryMb"),
                invalid("InvalidParameter", c -> numbers(c, 10241, 30, 10, 1, null), "memoryMb"),
                invalid("InvalidParameter", c -> numbers(c, 256, 0, 10, 1, null), "timeoutSeconds"),
                invalid("InvalidParameter", c -> numbers(c, 256, 901, 10, 1, null), "timeoutSeconds"),
                invalid("InvalidParameter", c -> numbers(c, 256, 30, 0, 1, null), "maxInstances"),
                invalid("InvalidParameter", c -> numbers(c, 256, 30, 1001, 1, null), "maxInstances"),
                invalid("InvalidParameter", c -> numbers(c, 256, 30, 10, 0, null), "concurrency"),
                invalid("InvalidParameter", c -> numbers(c, 256, 30, 10, 1001, null), "concurrency"),
                invalid("InvalidParameter", c -> numbers(c, 256, 30, 10, 1, -1), "keepAliveSeconds"),
                invalid("InvalidParameter", c -> numbers(c, 256, 30, 10, 1, 86401), "keepAliveSeconds"),
                invalid("InvalidParameter", c -> new FunctionConfig(c.name(), c.runtime(), c.handler(), c.memoryMb(),
                        c.timeoutSeconds(), Map.of("BAD-KEY", "v"), c.maxInstances(), c.concurrency(), null, false),
                        "environment"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidConfigs")
    void refusesAnInvalidCreateAndStoresNothing(String code, UnaryOperator<FunctionConfig> spoil, String field) {
        FunctionConfig config = spoil.apply(config("f"));

        assertRefused(() -> registry.put(config, helloCode.sha256()), 400, code, field);
        assertThat(registry.list()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidConfigs")
    void refusesAnInvalidUpdateAndKeepsTheFunction(String code, UnaryOperator<FunctionConfig> spoil, String field) {
        FunctionInfo before = registry.put(config("f"), helloCode.sha256());
        FunctionConfig config = spoil.apply(config("f"));

        assertRefused(() -> registry.put(config, null), 400, code, field);
        assertThat(registry.list()).containsExactly(before);
    }

    @Test
    void acceptsTheBoundaries() {
        registry.put(numbers(config("low"), 128, 1, 1, 1, 0), helloCode.sha256());
        registry.put(numbers(config("high"), 10240, 900, 1000, 1000, 86400), helloCode.sha256());
        registry.put(rename(config("f"), "Az09_-".repeat(10) + "abcd"), helloCode.sha256());

        assertThat(registry.list()).hasSize(3);
    }

    @Test
    void onlyTheRootTokensAuthorityGrantsOrChangesEgress() {
        FunctionConfig open = with(config("net"), c -> c.withEgress(dev.cumulus.sandbox.Egress.FULL));
        assertRefused(() -> registry.put(open, helloCode.sha256(), Authority.ACCESS_KEY), 403, "EgressAuthorityRequired", null);

        registry.put(open, helloCode.sha256(), Authority.ROOT_TOKEN);
        FunctionInfo stored = registry.get("net").orElseThrow();
        assertThat(stored.config().egress()).isEqualTo(dev.cumulus.sandbox.Egress.FULL);
        // an access key may change other settings of it, but not take the network away or widen it
        assertThat(registry.put(stored.config().withPublicUrl(true), null, Authority.ACCESS_KEY).config().egress())
                .isEqualTo(dev.cumulus.sandbox.Egress.FULL);
        assertRefused(() -> registry.put(stored.config().withEgress(dev.cumulus.sandbox.Egress.NONE), null,
                Authority.ACCESS_KEY), 403, "EgressAuthorityRequired", null);
    }

    @Test
    void createNeedsCodeThatIsStored() {
        assertRefused(() -> registry.put(config("f"), null), 400, "MissingCode", null);
        assertRefused(() -> registry.put(config("f"), "0".repeat(64)), 400, "UnknownCode", null);
        assertRefused(() -> registry.put(config("f"), "../../etc/passwd"), 400, "UnknownCode", null);
        assertThat(registry.list()).isEmpty();
    }

    @Test
    void handlerClassMustBeInThePackage() {
        assertRefused(() -> registry.put(handler(config("f"), "com.example.Missing"), helloCode.sha256()),
                400, "HandlerNotFound", null);
        assertThat(registry.list()).isEmpty();

        registry.put(config("f"), helloCode.sha256());
        CodeRef withoutHello = store(Zips.withClasses("com/example/Other.class"));
        assertRefused(() -> registry.put(config("f"), withoutHello.sha256()), 400, "HandlerNotFound", null);
        assertThat(registry.get("f").orElseThrow().code()).isEqualTo(helloCode);
    }

    @Test
    void providedFunctionNeedsABootstrapAtThePackageRoot() {
        CodeRef withBootstrap = store(Zips.zip(Map.of("bootstrap", Zips.text("#!/bin/sh\n"))));
        CodeRef nested = store(Zips.zip(Map.of("bin/bootstrap", Zips.text("#!/bin/sh\n"))));
        CodeRef directory = store(Zips.zip(Map.of("bootstrap/", new byte[0], "bootstrap/x", Zips.text("x"))));

        FunctionInfo info = registry.put(provided(config("p"), "anything.goes"), withBootstrap.sha256());

        assertThat(info.config().runtime()).isEqualTo("provided");
        assertThat(info.config().handler()).isEqualTo("anything.goes");
        assertRefused(() -> registry.put(provided(config("q"), "h"), nested.sha256()), 400, "MissingBootstrap", null);
        assertRefused(() -> registry.put(provided(config("q"), "h"), directory.sha256()), 400, "MissingBootstrap", null);
        assertRefused(() -> registry.put(provided(config("q"), "h"), helloCode.sha256()), 400, "MissingBootstrap", null);
        assertRefused(() -> registry.put(provided(config("q"), "has space"), withBootstrap.sha256()),
                400, "InvalidHandler", null);
        assertRefused(() -> registry.put(provided(config("q"), "x".repeat(129)), withBootstrap.sha256()),
                400, "InvalidHandler", null);
        assertThat(registry.get("q")).isEmpty();
    }

    @Test
    void findsTheHandlerInANestedLibJar() {
        byte[] lib = Zips.withClasses("com/acme/Handler.class");
        CodeRef code = store(Zips.zip(Map.of("lib/acme.jar", lib, "lib/other.jar", Zips.withClasses("x/Y.class"))));

        FunctionInfo info = registry.put(handler(config("f"), "com.acme.Handler::handle"), code.sha256());
        assertThat(info.code()).isEqualTo(code);

        // Only lib/*.jar counts: a jar deeper down is not on the function's class path.
        CodeRef deep = store(Zips.zip(Map.of("lib/sub/acme.jar", lib)));
        assertRefused(() -> registry.put(handler(config("g"), "com.acme.Handler"), deep.sha256()),
                400, "HandlerNotFound", null);
    }

    @Test
    void findsANestedClassByItsBinaryName() {
        CodeRef code = store(Zips.withClasses("com/example/Outer$Inner.class"));
        registry.put(handler(config("f"), "com.example.Outer$Inner"), code.sha256());
        assertThat(registry.get("f")).isPresent();
    }

    // ---- versions

    @Test
    void publishesNumberedImmutableSnapshots() {
        registry.put(config("f"), helloCode.sha256());
        FunctionVersion v1 = registry.publish("f");
        FunctionInfo changed = registry.put(numbers(config("f"), 512, 30, 10, 1, null), null);
        FunctionVersion v2 = registry.publish("f");

        assertThat(v1.version()).isEqualTo("1");
        assertThat(v1.revision()).isEqualTo("1");
        assertThat(v1.config()).isEqualTo(config("f"));
        assertThat(v1.code()).isEqualTo(helloCode);
        assertThat(v2.version()).isEqualTo("2");
        assertThat(v2.config()).isEqualTo(changed.config());
        assertThat(registry.versions("f")).containsExactly(v1, v2);
        assertThat(registry.resolve("f", "1")).isEqualTo(v1);
    }

    @Test
    void concurrentPublishesGetDistinctConsecutiveNumbers() throws Exception {
        registry.put(config("f"), helloCode.sha256());

        List<FunctionVersion> published = inParallel(16, i -> registry.publish("f"));

        assertThat(published).extracting(FunctionVersion::version).doesNotHaveDuplicates();
        assertThat(registry.versions("f"))
                .extracting(FunctionVersion::version)
                .containsExactly(Stream.iterate(1, i -> i + 1).limit(16).map(String::valueOf).toArray(String[]::new));
    }

    @Test
    void publishAndVersionsOfAnUnknownFunctionAre404() {
        assertRefused(() -> registry.publish("nope"), 404, "NotFound", null);
        assertRefused(() -> registry.versions("nope"), 404, "NotFound", null);
    }

    @Test
    void deleteRemovesVersionsAndARecreatedFunctionStartsAgainAtOne() {
        registry.put(config("f"), helloCode.sha256());
        registry.publish("f");
        registry.publish("f");

        registry.delete("f");

        assertRefused(() -> registry.resolve("f", "1"), 404, "NotFound", "function f does not exist");
        registry.put(config("f"), helloCode.sha256());
        assertThat(registry.versions("f")).isEmpty();
        assertThat(registry.publish("f").version()).isEqualTo("1");
    }

    @Test
    void resolvesDraftsAndPublishedVersions() {
        FunctionInfo info = registry.put(config("f"), helloCode.sha256());
        FunctionVersion v1 = registry.publish("f");

        FunctionVersion draft = registry.resolve("f", null);
        assertThat(draft.version()).isEqualTo(FunctionVersion.LATEST);
        assertThat(draft.revision()).isEqualTo(info.revision());
        assertThat(draft.config()).isEqualTo(info.config());
        assertThat(draft.code()).isEqualTo(helloCode);
        assertThat(registry.resolve("f", "$LATEST")).isEqualTo(draft);
        assertThat(registry.resolve("f", "1")).isEqualTo(v1);

        FunctionInfo updated = registry.put(numbers(config("f"), 1024, 30, 10, 1, null), null);
        assertThat(registry.resolve("f", null).revision()).isEqualTo(updated.revision()).isNotEqualTo(draft.revision());
        assertThat(registry.resolve("f", "1")).isEqualTo(v1);
    }

    @Test
    void resolveRefusesBadQualifiersAndUnknownOnes() {
        registry.put(config("f"), helloCode.sha256());
        registry.publish("f");

        for (String bad : List.of("0", "01", "1.0", "", "99999999999999999999", "a b", "x".repeat(129))) {
            assertRefused(() -> registry.resolve("f", bad), 400, "InvalidQualifier", null);
        }
        // what could be an alias name is looked up as one
        for (String alias : List.of("abc", "latest", "-1")) {
            assertRefused(() -> registry.resolve("f", alias), 404, "AliasNotFound", "function f has no alias " + alias);
        }
        // what is missing is the version, not the function, and the answer says so
        assertRefused(() -> registry.resolve("f", "2"), 404, "VersionNotFound", "function f has no version 2");
        assertRefused(() -> registry.resolve("nope", null), 404, "NotFound", "function nope does not exist");
        assertRefused(() -> registry.resolve("nope", "1"), 404, "NotFound", "function nope does not exist");
        assertRefused(() -> registry.resolve("nope", "live"), 404, "NotFound", "function nope does not exist");
        assertRefused(() -> registry.resolve("bad name", "$LATEST"), 404, "NotFound", null);
    }

    // ---- aliases

    @Test
    void aliasesNameVersionsAndResolveToThem() {
        registry.put(config("f"), helloCode.sha256());
        FunctionVersion v1 = registry.publish("f");

        Alias live = registry.createAlias("f", "live", new Alias.Spec("1", "production", null));

        assertThat(live.functionName()).isEqualTo("f");
        assertThat(live.functionVersion()).isEqualTo("1");
        assertThat(live.description()).isEqualTo("production");
        assertThat(live.routing()).isNull();
        assertThat(registry.alias("f", "live")).contains(live);
        assertThat(registry.resolve("f", "live")).isEqualTo(v1);

        Alias draft = registry.createAlias("f", "draft", new Alias.Spec("$LATEST", null, null));
        assertThat(draft.description()).isEmpty();
        assertThat(registry.aliases("f")).containsExactly(draft, live);
        FunctionInfo changed = registry.put(numbers(config("f"), 512, 30, 10, 1, null), null);
        assertThat(registry.resolve("f", "draft").revision()).isEqualTo(changed.revision());
    }

    @Test
    void updatingAnAliasMovesItAndChangesItsRevision() {
        registry.put(config("f"), helloCode.sha256());
        registry.publish("f");
        FunctionVersion v2 = registry.publish("f");
        Alias live = registry.createAlias("f", "live", new Alias.Spec("1", "", null));
        registry.resolve("f", "live"); // cached before the update, which must drop it

        Alias moved = registry.updateAlias("f", "live", new Alias.Spec("2", "moved", null), live.revision());

        assertThat(moved.functionVersion()).isEqualTo("2");
        assertThat(moved.revision()).isNotEqualTo(live.revision());
        assertThat(moved.createdAt()).isEqualTo(live.createdAt());
        assertThat(registry.resolve("f", "live")).isEqualTo(v2);
        assertRefused(() -> registry.updateAlias("f", "live", new Alias.Spec("1", "", null), live.revision()),
                412, "PreconditionFailed", null);
        assertRefused(() -> registry.updateAlias("f", "nope", new Alias.Spec("1", "", null), null), 404, "NotFound", null);
    }

    @Test
    void anAliasRoutesByWeightOnEveryResolve() {
        double[] draw = {0};
        FunctionRegistry routed = new JdbcFunctionRegistry(test.db(), codeDir, java.time.Clock.systemUTC(), guard(), () -> draw[0]);
        routed.put(config("f"), helloCode.sha256());
        FunctionVersion v1 = routed.publish("f");
        FunctionVersion v2 = routed.publish("f");
        Alias alias = routed.createAlias("f", "canary", new Alias.Spec("1", "", new Alias.Routing("2", 100_000)));
        assertThat(alias.routing().weight()).isEqualTo(0.1);

        draw[0] = 0.0999;
        assertThat(routed.resolve("f", "canary")).isEqualTo(v2);
        draw[0] = 0.1;
        assertThat(routed.resolve("f", "canary")).isEqualTo(v1);
        draw[0] = 0.9999;
        assertThat(routed.resolve("f", "canary")).isEqualTo(v1);
        draw[0] = 0.0;
        assertThat(routed.resolve("f", "canary")).isEqualTo(v2);
    }

    @Test
    void anAliasCannotPointAtAMissingVersion() {
        registry.put(config("f"), helloCode.sha256());
        registry.publish("f");

        assertRefused(() -> registry.createAlias("f", "live", new Alias.Spec("2", "", null)), 404, "VersionNotFound",
                "function f has no version 2");
        assertRefused(() -> registry.createAlias("f", "live", new Alias.Spec("1", "", new Alias.Routing("3", 5))),
                404, "VersionNotFound", "function f has no version 3");
        assertRefused(() -> registry.createAlias("nope", "live", new Alias.Spec("1", "", null)), 404, "NotFound", null);
        assertThat(registry.alias("f", "live")).isEmpty();
        Alias live = registry.createAlias("f", "live", new Alias.Spec("1", "", null));
        assertRefused(() -> registry.updateAlias("f", "live", new Alias.Spec("7", "", null), null), 404, "VersionNotFound",
                "function f has no version 7");
        assertThat(registry.alias("f", "live")).contains(live);
    }

    @Test
    void refusesBadAliasesAndDuplicates() {
        registry.put(config("f"), helloCode.sha256());
        registry.publish("f");
        registry.publish("f");
        registry.createAlias("f", "live", new Alias.Spec("1", "", null));

        assertRefused(() -> registry.createAlias("f", "live", new Alias.Spec("2", "", null)), 409, "AliasExists", null);
        for (String name : List.of("123", "", "a b", "$LATEST", "x".repeat(129))) {
            assertRefused(() -> registry.createAlias("f", name, new Alias.Spec("1", "", null)), 400, "InvalidParameter", null);
        }
        for (String version : List.of("0", "abc", "1.5")) {
            assertRefused(() -> registry.createAlias("f", "a", new Alias.Spec(version, "", null)), 400, "InvalidParameter", null);
        }
        assertRefused(() -> registry.createAlias("f", "a", new Alias.Spec("1", "", new Alias.Routing("1", 5))),
                400, "InvalidParameter", "version it points at");
        assertRefused(() -> registry.createAlias("f", "a", new Alias.Spec("$LATEST", "", new Alias.Routing("1", 5))),
                400, "InvalidParameter", "$LATEST");
        assertRefused(() -> registry.createAlias("f", "a", new Alias.Spec("1", "", new Alias.Routing("2", 1_000_001))),
                400, "InvalidParameter", "weight");
        assertRefused(() -> registry.createAlias("f", "a", new Alias.Spec("1", "", new Alias.Routing("$LATEST", 5))),
                400, "InvalidParameter", "published");
        assertThat(registry.aliases("f")).extracting(Alias::name).containsExactly("live");
    }

    @Test
    void deletingAliasesAndFunctionsRemovesThem() {
        registry.put(config("f"), helloCode.sha256());
        registry.publish("f");
        registry.createAlias("f", "live", new Alias.Spec("1", "", null));
        registry.createAlias("f", "old", new Alias.Spec("1", "", null));

        assertThat(registry.deleteAlias("f", "old")).isTrue();
        assertThat(registry.deleteAlias("f", "old")).isFalse();
        assertRefused(() -> registry.resolve("f", "old"), 404, "AliasNotFound", "function f has no alias old");
        registry.resolve("f", "live");

        registry.delete("f");
        registry.put(config("f"), helloCode.sha256());
        registry.publish("f");
        assertThat(registry.aliases("f")).isEmpty();
        assertRefused(() -> registry.resolve("f", "live"), 404, "AliasNotFound", null);
        assertRefused(() -> registry.aliases("nope"), 404, "NotFound", null);
    }

    // ---- code store

    @Test
    void storesCodeByItsSha256() throws Exception {
        byte[] bytes = Zips.withClasses("a/B.class");
        CodeRef ref = store(bytes);

        assertThat(ref.sha256()).matches("[0-9a-f]{64}")
                .isEqualTo(java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(ref.sizeBytes()).isEqualTo(bytes.length);
        assertThat(codeDir.resolve(ref.sha256() + ".zip")).hasBinaryContent(bytes);
    }

    @Test
    void reUploadIsIdempotent() throws IOException {
        byte[] bytes = Zips.withClasses("a/B.class");
        CodeRef first = store(bytes);
        CodeRef second = store(bytes);

        assertThat(second).isEqualTo(first);
        assertThat(codeFiles()).containsExactlyInAnyOrder(helloCode.sha256() + ".zip", first.sha256() + ".zip");
    }

    @Test
    void refusesWhatIsNotAZipAndKeepsNothing() throws IOException {
        List<String> before = codeFiles();

        assertRefused(() -> store(Zips.text("just some text, not a zip")), 400, "InvalidCode", null);
        assertRefused(() -> store(new byte[0]), 400, "InvalidCode", null);
        byte[] truncated = java.util.Arrays.copyOf(helloCode.sha256().getBytes(), 10);
        assertRefused(() -> store(truncated), 400, "InvalidCode", null);

        assertThat(codeFiles()).isEqualTo(before);
    }

    @Test
    void refusesMoreThanTheLimitAndKeepsNothing() throws IOException {
        byte[] bytes = Zips.zip(Map.of("big.bin", new byte[4096], "a/B.class", new byte[1]));
        List<String> before = codeFiles();

        assertRefused(() -> registry.storeCode(new ByteArrayInputStream(bytes), bytes.length - 1), 413,
                "PayloadTooLarge", null);
        assertThat(codeFiles()).isEqualTo(before);
        assertThat(registry.storeCode(new ByteArrayInputStream(bytes), bytes.length).sizeBytes()).isEqualTo(bytes.length);
    }

    @Test
    void refusesZipSlipEntriesAtUpload() throws IOException {
        List<String> before = codeFiles();

        assertRefused(() -> store(Zips.zip(Map.of("../../evil.sh", Zips.text("rm -rf /")))), 400, "InvalidCode", null);

        assertThat(codeFiles()).isEqualTo(before);
    }

    @Test
    void unpacksOnceAndReusesTheDirectory() throws IOException {
        CodeRef ref = store(Zips.zip(Map.of("com/example/Hello.class", Zips.text("hello"), "lib/x.jar", Zips.withClasses("X.class"))));

        Path unpacked = registry.unpackedCode(ref);

        assertThat(unpacked).isEqualTo(codeDir.resolve("unpacked").resolve(ref.sha256()));
        assertThat(unpacked.resolve("com/example/Hello.class")).hasContent("hello");
        assertThat(unpacked.resolve("lib/x.jar")).exists();
        Files.writeString(unpacked.resolve("marker"), "proves the second call does not extract again");
        assertThat(registry.unpackedCode(ref)).isEqualTo(unpacked);
        assertThat(unpacked.resolve("marker")).exists();
    }

    @Test
    void concurrentUnpacksFromSeveralNodesShareOneDirectory() throws Exception {
        CodeRef ref = store(Zips.zip(Map.of("com/example/Hello.class", new byte[200_000], "b.txt", Zips.text("b"))));
        // Separate registries on one code dir behave like nodes sharing a file system.
        List<FunctionRegistry> nodes = List.of(registry, FunctionRegistry.open(test.db(), codeDir, guard()),
                FunctionRegistry.open(test.db(), codeDir, guard()));

        List<Path> dirs = inParallel(24, i -> nodes.get(i % nodes.size()).unpackedCode(ref));

        Path expected = codeDir.resolve("unpacked").resolve(ref.sha256());
        assertThat(dirs).containsOnly(expected);
        assertThat(expected.resolve("com/example/Hello.class")).hasSize(200_000);
        assertThat(expected.resolve("b.txt")).hasContent("b");
        try (Stream<Path> entries = Files.list(codeDir.resolve("unpacked"))) {
            assertThat(entries).containsExactly(expected);
        }
    }

    @Test
    void unpackingUnknownCodeIs404() {
        assertRefused(() -> registry.unpackedCode(new CodeRef("f".repeat(64), 1)), 404, "NotFound", null);
        assertRefused(() -> registry.unpackedCode(new CodeRef("../x", 1)), 404, "NotFound", null);
    }

    @Test
    void refusesAZipBombByTheBytesItReallyInflatesTo() throws IOException {
        List<String> before = codeFiles();

        assertRefused(() -> store(Zips.bomb()), 400, "InvalidCode",
                "unpacks to more than " + ZipEntries.MAX_UNPACKED_BYTES + " bytes");
        assertThat(codeFiles()).isEqualTo(before);
    }

    @Test
    void refusesTooManyEntriesAndTooDeepNames() throws IOException {
        List<String> before = codeFiles();
        Map<String, byte[]> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i <= ZipEntries.MAX_ENTRIES; i++) {
            many.put("f" + i, new byte[0]);
        }
        String deep = "d/".repeat(ZipEntries.MAX_DEPTH) + "x";

        assertRefused(() -> registry.storeCode(new ByteArrayInputStream(Zips.zip(many)), 50_000_000), 400,
                "InvalidCode", "more than " + ZipEntries.MAX_ENTRIES + " entries");
        assertRefused(() -> store(Zips.zip(Map.of(deep, new byte[1]))), 400, "InvalidCode", "directories deep");
        assertRefused(() -> store(Zips.zip(Map.of("a".repeat(256), new byte[1]))), 400, "InvalidCode",
                "longer than 255 bytes");
        assertThat(codeFiles()).isEqualTo(before);
        assertThat(store(Zips.zip(Map.of("d/".repeat(ZipEntries.MAX_DEPTH - 1) + "x", new byte[1])))).isNotNull();
    }

    /** A bomb inside lib/*.jar is only read while looking for the handler: bounded by the same limit. */
    @Test
    void aBombInALibraryJarStopsTheHandlerSearch() throws IOException {
        CodeRef code = store(Zips.zip(Map.of("lib/bomb.jar", Zips.bomb())));

        assertRefused(() -> registry.put(config("bombed"), code.sha256()), 400, "InvalidCode", "unpacks to more than");
    }

    @Test
    void collectsUnreferencedCodeAfterTheGraceAndNeverReferencedCode() throws IOException {
        MutableClock clock = new MutableClock(Instant.now()); // helloCode was stored at the real time
        FunctionRegistry node = new JdbcFunctionRegistry(test.db(), codeDir, clock, guard());
        Duration grace = Duration.ofHours(1);
        CodeRef used = node.storeCode(new ByteArrayInputStream(Zips.withClasses("com/example/Hello.class", "u")), LIMIT);
        CodeRef replaced = node.storeCode(new ByteArrayInputStream(Zips.withClasses("com/example/Hello.class", "r")), LIMIT);
        CodeRef published = node.storeCode(new ByteArrayInputStream(Zips.withClasses("com/example/Hello.class", "p")), LIMIT);
        node.put(config("f"), published.sha256());
        node.publish("f"); // version 1 keeps `published`
        node.put(config("f"), replaced.sha256());
        node.put(config("f"), used.sha256()); // nothing references `replaced` any more
        node.unpackedCode(replaced);

        assertThat(node.collectUnreferencedCode(grace)).isEmpty(); // first seen unreferenced now
        clock.advance(grace.plusSeconds(1));
        List<String> removed = node.collectUnreferencedCode(grace);

        // helloCode was stored before by the setup's registry and never referenced either
        assertThat(removed).containsExactlyInAnyOrder(replaced.sha256(), helloCode.sha256());
        assertThat(codeFiles()).containsExactlyInAnyOrder(used.sha256() + ".zip", published.sha256() + ".zip");
        assertThat(codeDir.resolve("unpacked").resolve(replaced.sha256())).doesNotExist();
        assertRefused(() -> node.put(config("g"), replaced.sha256()), 400, "UnknownCode", null);
        assertThat(node.resolve("f", "1").code()).isEqualTo(published);
    }

    /** An upload followed by a deploy: the package must not be lost in between, however old it is. */
    @Test
    void aReUploadedPackageIsSparedForTheGraceAfterTheUpload() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        FunctionRegistry node = new JdbcFunctionRegistry(test.db(), codeDir, clock, guard());
        Duration grace = Duration.ofHours(1);
        byte[] bytes = Zips.withClasses("com/example/Hello.class", "again");
        CodeRef code = node.storeCode(new ByteArrayInputStream(bytes), LIMIT);
        node.collectUnreferencedCode(grace);
        clock.advance(grace.multipliedBy(5));

        node.storeCode(new ByteArrayInputStream(bytes), LIMIT); // the upload before a deploy
        assertThat(node.collectUnreferencedCode(grace)).doesNotContain(code.sha256());
        node.put(config("f"), code.sha256());
        clock.advance(grace.multipliedBy(5));

        assertThat(node.collectUnreferencedCode(grace)).doesNotContain(code.sha256());
        assertThat(node.get("f").orElseThrow().code()).isEqualTo(code);
    }

    // ---- helpers

    CodeRef store(byte[] bytes) {
        return registry.storeCode(new ByteArrayInputStream(bytes), LIMIT);
    }

    List<String> codeFiles() throws IOException {
        try (Stream<Path> files = Files.list(codeDir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("unpacked")).sorted().toList();
        }
    }

    static FunctionConfig config(String name) {
        return FunctionConfig.defaults(name, HANDLER);
    }

    static FunctionConfig with(FunctionConfig config, UnaryOperator<FunctionConfig> change) {
        return change.apply(config);
    }

    static FunctionConfig rename(FunctionConfig c, String name) {
        return new FunctionConfig(name, c.runtime(), c.handler(), c.memoryMb(), c.timeoutSeconds(), c.environment(),
                c.maxInstances(), c.concurrency(), c.keepAliveSeconds(), c.publicUrl());
    }

    static FunctionConfig provided(FunctionConfig c, String handler) {
        return new FunctionConfig(c.name(), FunctionConfig.RUNTIME_PROVIDED, handler, c.memoryMb(), c.timeoutSeconds(),
                c.environment(), c.maxInstances(), c.concurrency(), c.keepAliveSeconds(), c.publicUrl());
    }

    static FunctionConfig handler(FunctionConfig c, String handler) {
        return new FunctionConfig(c.name(), c.runtime(), handler, c.memoryMb(), c.timeoutSeconds(), c.environment(),
                c.maxInstances(), c.concurrency(), c.keepAliveSeconds(), c.publicUrl());
    }

    static FunctionConfig numbers(FunctionConfig c, int memory, int timeout, int maxInstances, int concurrency, Integer keepAlive) {
        return new FunctionConfig(c.name(), c.runtime(), c.handler(), memory, timeout, c.environment(), maxInstances,
                concurrency, keepAlive, c.publicUrl());
    }

    static Arguments invalid(String code, UnaryOperator<FunctionConfig> spoil) {
        return invalid(code, spoil, null);
    }

    static Arguments invalid(String code, UnaryOperator<FunctionConfig> spoil, String field) {
        return Arguments.of(code, spoil, field);
    }

    static void assertRefused(ThrowingCallable call, int status, String code, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
            if (messagePart != null) {
                assertThat(e.getMessage()).contains(messagePart);
            }
        });
    }

    interface IndexedCall<T> {
        T call(int index) throws Exception;
    }

    /** Runs n calls at once, released together by a latch, and returns their results. */
    static <T> List<T> inParallel(int n, IndexedCall<T> call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<T> task = () -> {
                    start.await();
                    return call.call(index);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }
}
