package dev.cumulus.platform;

import dev.cumulus.aot.AotCache;
import dev.cumulus.async.AsyncDelivery;
import dev.cumulus.auth.AccessKeys;
import dev.cumulus.auth.KeysMount;
import dev.cumulus.auth.RootToken;
import dev.cumulus.auth.SecretBox;
import dev.cumulus.auth.SigV4;
import dev.cumulus.auth.TokenMount;
import dev.cumulus.edge.TlsCredentials;
import dev.cumulus.files.PrivateFiles;
import dev.cumulus.codesigning.CodeSigning;
import dev.cumulus.iam.Iam;
import dev.cumulus.iam.IamApi;
import dev.cumulus.iam.IamGuard;
import dev.cumulus.iam.QuotaLimits;
import dev.cumulus.iam.Quotas;
import dev.cumulus.registry.MountGuard;
import dev.cumulus.edge.EdgeApi;
import dev.cumulus.edge.EdgeServer;
import dev.cumulus.files.FileTrees;
import dev.cumulus.iam.ExecutionTokens;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.lambdaapi.LambdaApi;
import dev.cumulus.routes.Routes;
import dev.cumulus.schedules.Schedules;
import dev.cumulus.web.Api;
import dev.cumulus.web.Route;
import java.util.ArrayList;
import java.util.List;
import dev.cumulus.logs.LogStore;
import dev.cumulus.mail.Mail;
import dev.cumulus.mail.SmtpServer;
import dev.cumulus.users.EndUsers;
import dev.cumulus.metering.Metering;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.functions.Functions;
import dev.cumulus.iam.Guard;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.sandbox.Sandbox;
import dev.cumulus.sandbox.Sandboxes;
import dev.cumulus.scheduler.HybridHistogramPolicy;
import dev.cumulus.scheduler.Scheduler;
import dev.cumulus.secrets.FunctionSecrets;
import dev.cumulus.secrets.SecretsMount;
import dev.cumulus.sources.SourceMappings;
import dev.cumulus.store.Database;
import dev.cumulus.topics.Topics;
import dev.cumulus.storage.FileBlobStore;
import dev.cumulus.storage.InstanceStorage;
import dev.cumulus.storage.S3Api;
import dev.cumulus.storage.S3BlobStore;
import dev.cumulus.storage.Storage;
import dev.cumulus.storage.StorageEvents;
import dev.cumulus.iam.AuditLog;
import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Principal;
import dev.cumulus.documents.Documents;
import dev.cumulus.cluster.ClusterBus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node. {@link #start} builds every capability in dependency order; {@link #close}
 * stops them in reverse: stop accepting requests, drain in-flight invocations, stop instances,
 * flush metering, close the Store.
 */
public final class Platform implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Platform.class);
    private static final int LOG_LINES_PER_FUNCTION = 10_000;
    /** 16 Mi characters: at most 32 MiB of heap per function, however long its lines. */
    private static final long LOG_CHARS_PER_FUNCTION = 16L * 1024 * 1024;
    /**
     * How long a code package stays after the last upload of it and after this node first saw it
     * unreferenced: long enough for a deploy to follow its upload and for instances on old code
     * to drain (ADR 0021).
     */
    private static final Duration CODE_GRACE = Duration.ofHours(1);
    private static final Duration CODE_COLLECTION_INTERVAL = Duration.ofMinutes(10);

    private final Deque<AutoCloseable> closers;
    private final EdgeServer edge;
    private final RootToken token;
    private final Scheduler scheduler;
    private final Sandbox sandbox;
    private final Metering metering;
    private final AsyncInvoker async;
    private final FunctionRegistry registry;
    private final Invoker invoker;
    private final LogStore logs;
    private final ExecutionTokens executionTokens;

    private Platform(Deque<AutoCloseable> closers, EdgeServer edge, RootToken token, Scheduler scheduler, Sandbox sandbox,
            Metering metering, AsyncInvoker async, FunctionRegistry registry, Invoker invoker, LogStore logs,
            ExecutionTokens executionTokens) {
        this.executionTokens = executionTokens;
        this.metering = metering;
        this.async = async;
        this.registry = registry;
        this.invoker = invoker;
        this.logs = logs;
        this.closers = closers;
        this.edge = edge;
        this.token = token;
        this.scheduler = scheduler;
        this.sandbox = sandbox;
    }

    /** How a test node makes its own {@link Guard} from the node's credentials instead of IAM's. */
    @FunctionalInterface
    public interface Guards {
        Guard create(RootToken token, AccessKeys keys);
    }

    public static Platform start(PlatformConfig config) throws IOException {
        return start(config, null);
    }

    /**
     * Starts a node whose APIs authorise through the guard {@code guards} makes, or through IAM's
     * policies ({@link IamGuard}) when it is null: what every real node does.
     */
    public static Platform start(PlatformConfig config, Guards guards) throws IOException {
        Deque<AutoCloseable> closers = new ArrayDeque<>();
        StartupSteps steps = new StartupSteps();
        RootToken rootToken = null;
        try {
            Path dataDir = secureDataDir(config.dataDir().toAbsolutePath());
            Clock clock = Clock.systemUTC();
            Path runtimeJar = runtimeJar(config);
            Path javaHome = Path.of(System.getProperty("java.home"));
            // the slow steps that need nothing of each other run side by side (ADR 0043): the
            // sandbox probe (seccomp, the bwrap smoke test), the database with its migrations, the
            // runtime API's server, TLS, the execution-token key; a failure of any of them fails
            // the start with its own message
            Path instancesDir = Files.createDirectories(dataDir.resolve("instances"));
            var sandboxStep = steps.start("sandbox", () -> Sandboxes.create(config.sandbox(), instancesDir));
            var databaseStep = steps.start("database", () -> Database.open(config.jdbcUrl(), dataDir));
            var runtimeApiStep = steps.start("runtime-api", RuntimeApiServer::start);
            var tlsStep = steps.start("tls", () -> config.tls().credentials(config.host(), dataDir));
            // each invocation's credentials, signed with the node's key outside the Store (ADR 0024);
            // parsing the key warms up the JOSE and EC classes, off the main thread
            var executionTokensStep = steps.start("execution-tokens",
                    () -> ExecutionTokens.loadOrCreate(dataDir, clock));
            // a node that cannot sandbox does not start (issue 10); when several steps fail, the
            // start says the first failure in time
            Sandbox sandbox = steps.await(sandboxStep);
            Database database = push(closers, steps.await(databaseStep));
            RuntimeApiServer runtimeApi = push(closers, steps.await(runtimeApiStep));
            TlsCredentials tls = steps.await(tlsStep);

            RootToken token = RootToken.loadOrCreate(dataDir);
            rootToken = token;
            // how the nodes sharing the database hear of each other's commits (ADR 0041): named and
            // unreachable, the node does not start; closed after everything that publishes on it
            String nodeId = java.util.UUID.randomUUID().toString();
            ClusterBus cluster = push(closers, config.clusterBus() == null ? ClusterBus.alone(nodeId)
                    : ClusterBus.connect(config.clusterBus(), nodeId));
            Path socketRoot = Files.createTempDirectory("cumulus-rt-");
            closers.push(() -> FileTrees.delete(socketRoot));
            Path aotDir = Files.createDirectories(config.aotDir() != null ? config.aotDir() : dataDir.resolve("aot"));
            // what no admin-granted mount may expose (ADR 0022)
            MountGuard mountGuard = MountGuard.protecting(List.of(dataDir, socketRoot, aotDir));
            FunctionRegistry registry = FunctionRegistry.open(database, dataDir.resolve("code"), mountGuard);
            closers.push(collectUnreferencedCode(registry));
            Metering metering = push(closers, Metering.open(database));
            LogStore logs = new LogStore(LOG_LINES_PER_FUNCTION, LOG_CHARS_PER_FUNCTION, clock);
            ExecutionTokens executionTokens = steps.await(executionTokensStep);
            NodeGrants grants = new NodeGrants(executionTokens);
            // trained in the background: the first instances start without it, later ones faster
            AotCache aot = push(closers, AotCache.prepare(aotDir, runtimeJar,
                    javaHome, Scheduler.instanceJvmFlags(FunctionConfig.DEFAULT_MEMORY_MB)));
            // IAM (issue 11, docs/iam.md): projects, principals, policies, audit; an execution token
            // stands for its function's role
            Iam iam = Iam.open(database, clock);
            // per-project limits: invocations per second at the invoker, concurrent instances in
            // the scheduler, functions and code bytes at deploy
            QuotaLimits quotaLimits = new QuotaLimits(database, iam, clock);
            Quotas quotas = new Quotas(quotaLimits::of);
            Scheduler scheduler = push(closers, new Scheduler(
                    new Scheduler.Settings(config.maxInstances(), config.queueDepth(), config.queueTimeout(),
                            Duration.ofSeconds(30), config.stemCells(), FunctionConfig.DEFAULT_MEMORY_MB,
                            config.region()),
                    new HybridHistogramPolicy(config.defaultKeepAlive()), sandbox, runtimeApi, runtimeJar, javaHome,
                    socketRoot, Files.createDirectories(dataDir.resolve("cells")),
                    version -> registry.unpackedCode(version.code()), mountGuard, logs::append, aot, grants,
                    quotas::maxInstances, clock));
            // per-function secrets, sealed under the node's master key (the access keys' key file);
            // a change retires the function's instances so that new ones start with it
            SecretBox secretBox = SecretBox.loadOrCreate(dataDir);
            FunctionSecrets secrets = new FunctionSecrets(database, secretBox, registry,
                    scheduler::retireAll, clock);
            grants.secretsFrom(secrets);
            Invoker invoker = new Invoker(registry, scheduler, metering.meter(), logs, clock, quotas::admitInvocation);
            // closed before the scheduler: deliveries in flight finish (or are queued again) first
            // topics need the AsyncInvoker and AsyncDelivery needs topics as its TopicSink: it gets a
            // holder that topics are bound into once they exist (see LateTopicSink)
            LateTopicSink topicSink = new LateTopicSink();
            AsyncDelivery async = push(closers, AsyncDelivery.start(database, invoker, registry, topicSink,
                    config.async(), dataDir, clock));
            Topics topics = Topics.open(database, invoker, async, clock);
            topicSink.bind(topics);
            // who may do what: every API authenticates and authorises through it
            AccessKeys accessKeys = AccessKeys.open(database, dataDir, clock);
            // which code a project accepts (ADR 0025)
            CodeSigning codeSigning = new CodeSigning(database, clock);
            IamGuard iamGuard = new IamGuard(token, accessKeys, iam, executionTokens.principals(), clock);
            Guard guard = guards == null ? iamGuard : guards.create(token, accessKeys);
            // instances publish with their function's role, as the guard allows
            runtimeApi.serve(topics.instanceService(guard));
            // end users' mail (durable outbox, the node's relay or a project's) and end users
            // themselves, per project, apart from IAM's operators (issue 15, ADR 0027)
            Mail mail = push(closers, Mail.start(database, secretBox,
                    config.smtp() == null ? null : SmtpServer.parse(config.smtp()), Mail.Settings.defaults(), clock));
            EndUsers endUsers = EndUsers.builder().database(database).secretBox(secretBox).mail(mail).events(topics)
                    .invoker(invoker).projectExists(p -> iam.projects().get(p).isPresent()).clock(clock).build();
            iam.projects().holds(endUsers.contents()); // a project with end users is not deleted
            // the capabilities that serve their own part of the REST API
            List<Route> routeTable = new ArrayList<>();
            routeTable.addAll(async.routes());
            routeTable.addAll(topics.routes());
            // routes and function URLs with user auth take the project's end users' access tokens
            dev.cumulus.routes.EndUserVerifier endUserVerifier = (project, authorization) -> endUsers
                    .authenticate(project, authorization).map(dev.cumulus.users.UserTokens.VerifiedUser::claims);
            Routes routes = new Routes(database, invoker, guard, endUserVerifier, clock);
            routeTable.addAll(routes.routes());
            Schedules schedules = push(closers, Schedules.start(database, invoker, async, clock));
            routeTable.addAll(schedules.routes());
            // event source mappings (ADR 0014); stopped before the scheduler, so in-flight batches finish
            SourceMappings sources = push(closers, SourceMappings.start(database, invoker, async,
                    topics.sourcePublisher(), (call, mapping) -> iam.requireRoot(call.principal(),
                            "sources:ConnectBroker", Crn.of("sources", call.project(), mapping), call.facts().source(),
                            "only root lets a project's mapping connect the node to a broker"), clock));
            routeTable.addAll(sources.routes());
            // object storage (issue 14, ADR 0026): the S3-compatible API signed with the same access keys
            // the bytes under the data dir, or in a shared S3-compatible bucket (ADR 0031)
            Storage storage = Storage.open(database, config.blobStore() == null
                    ? FileBlobStore.open(dataDir.resolve("storage"))
                    : push(closers, S3BlobStore.open(config.blobStore(), clock, S3BlobStore.SWEEP_GRACE)),
                    new StorageEvents(database, topics, async,
                    (project, function) -> invoker.resolve(project, function),
                    (project, bucket, key, hops) -> iam.audit().record(new Principal(Principal.Kind.ROLE, "storage-trigger",
                            project), "storage:InvokeTrigger", Crn.of("storage", project, bucket + "/" + key),
                            AuditLog.Outcome.DENY, null, "recursive invocation chain stopped after " + hops
                            + " storage-triggered invocations"), clock), clock);
            // deploys, publishes and deletes for both APIs; a function is deleted only with what
            // names it, or not at all (ADR 0017)
            Functions functions = Functions.builder().registry(registry).scheduler(scheduler).async(async)
                    .dependents(List.of(routes.dependents(), schedules.dependents(), topics.dependents(),
                            sources.dependents(), storage.dependents()))
                    .dropped(logs::drop).codeSigning(codeSigning).guard(guard)
                    .roleExists((project, role) -> iam.roles().get(project, role).isPresent())
                    .egressProblem(sandbox.egressProblem()).quotas(quotas).build();
            routeTable.addAll(codeSigning.routes());
            routeTable.addAll(new IamApi(iam, iamGuard, clock).routes());
            routeTable.addAll(quotaLimits.routes());
            routeTable.addAll(new KeysMount(accessKeys, iam.projects()).routes());
            routeTable.addAll(new TokenMount(token, (call, action) -> iam.requireRoot(call.principal(), action,
                    Crn.of("iam", call.project(), "root-token"), call.facts().source(), "only root rotates the root token"))
                    .routes());
            routeTable.addAll(new SecretsMount(secrets).routes());
            routeTable.addAll(mail.routes());
            // a function sends mail from its instances as its role allows (mail:SendMail)
            runtimeApi.serve(mail.instanceService(caller -> guard.authorizeRole(caller.project(),
                    caller.functionName(), caller.role(), "mail:SendMail", Crn.of("mail", caller.project(), "outbox"))));
            routeTable.addAll(endUsers.routes());
            // the document database (ADR 0028): an IAM principal acts as itself, beyond the rules, or
            // on behalf of an end user whose access token it forwards, whom the rules then judge
            Documents documents = new Documents(database, topics, clock, cluster);
            documents.recover(); // change events a previous run committed but did not publish
            // other nodes' commits wake this node's realtime subscriptions at once
            closers.push(documents.joinCluster());
            // and an end user's own access token is a principal on the document routes (ADR 0034)
            routeTable.addAll(documents.routes(call -> onBehalfOf(endUsers, call), endUsers.endUserTokens(),
                    endUsers::allowedOrigins));
            routeTable.addAll(dev.cumulus.sdk.BrowserSdk.load().routes()); // the browser client (/sdk/cumulus.js)
            // the Lambda API, signed with access keys the node issues (docs/adr/0011)
            Api.Builder lambda = new LambdaApi(new SigV4(accessKeys, "lambda", clock), guard, registry, scheduler,
                    invoker, async, logs, database, new LambdaApi.Limits(config.region(),
                            config.maxCodeBytes(), config.maxInstances()), functions, clock).api();
            routeTable.addAll(storage.routes(bearer -> executionTokens.verify(bearer).map(ExecutionTokens.Claims::requestId)));
            runtimeApi.serve(new InstanceStorage(storage, guard, bearer -> executionTokens.verify(bearer)
                    .map(c -> new InstanceStorage.Invocation(c.project(), c.function(), c.requestId())), clock));
            Api.Builder s3 = new S3Api(storage, new SigV4(accessKeys, "s3", clock), guard).api();
            EdgeServer edge = push(closers, EdgeServer.start(config.host(), config.port(), tls, sandbox.kind(),
                    sandbox.isolated(), new EdgeApi(
                    guard, registry, scheduler, invoker, logs, metering.usage(), metering.meter()::flush,
                    config.maxCodeBytes(), clock, routeTable, List.of(lambda, s3), async, functions, endUserVerifier)));
            // the REST API from inside instances, as their function's role
            runtimeApi.serve(new InstanceApiRelay(() -> edge.apis().get(0), executionTokens::verify, invoker.callers(),
                    // a change-triggered invocation's writes continue its chain (loops stop, docs/documents.md)
                    (project, requestId) -> Documents.hopsOf(project, async.event(project, requestId).orElse(null))));
            // the S3 API from inside instances, with their session credentials (ADR 0039)
            runtimeApi.serve(new InstanceS3Relay(() -> edge.apis().stream().filter(a -> a.name().equals("s3"))
                    .findFirst().orElseThrow()));
            // closed before the edge: realtime streams end, so its graceful stop does not wait on them
            closers.push(documents::stopListeners);
            PrivateFiles.write(dataDir.resolve("url"), edge.url() + "\n");
            grants.listeningAt(edge.url());
            // once the edge listens: provisioned instances start knowing the node's API endpoint
            for (String project : registry.projects()) {
                FunctionRegistry inProject = registry.project(project);
                for (var function : inProject.list()) {
                    if (function.config().provisionedConcurrency() > 0) {
                        scheduler.provision(inProject.resolve(function.name(), null));
                    }
                }
            }
            PrivateFiles.tighten(dataDir); // what this start created (the Store's files) is private too
            LOG.debug("Cumulus listening on {} (sandbox: {}, data: {}, cluster bus: {})", edge.url(), sandbox.kind(), dataDir,
                    cluster);
            return new Platform(closers, edge, token, scheduler, sandbox, metering, async, registry, invoker, logs,
                    executionTokens);
        } catch (IOException | RuntimeException | Error e) {
            steps.abandon();
            closeAll(closers);
            if (rootToken != null) {
                rootToken.discardIfCreated();
            }
            throw e;
        }
    }

    /** The header with which a caller acts on behalf of an end user: {@code Bearer <access token>}. */
    static final String ON_BEHALF_OF = "X-Cumulus-On-Behalf-Of";

    /**
     * The documents' seam to end users: a request carrying {@value #ON_BEHALF_OF} acts for the end
     * user whose access token it carries (the collection's rules judge it); without one, for the
     * IAM principal the guard authorised; an invalid or expired token is a 401.
     */
    private static dev.cumulus.documents.Access onBehalfOf(EndUsers endUsers, dev.cumulus.web.Call call) {
        if (call.request().getAttribute(InstanceApiRelay.CALLER_IDENTITY) instanceof String identity) {
            // the caller the node verified for the relaying function's invocation (ADR 0035)
            if (call.header(ON_BEHALF_OF) != null) {
                throw dev.cumulus.errors.ApiException.badRequest("InvalidHeader", "act as the caller or on behalf "
                        + "of a token, not both");
            }
            return dev.cumulus.documents.Access.user(callerAuth(identity));
        }
        String token = call.header(ON_BEHALF_OF);
        if (token == null) {
            return null;
        }
        var user = endUsers.endUserTokens().verify(call.project(), token).orElseThrow(() -> new dev.cumulus.errors.ApiException(
                401, "InvalidEndUserToken", ON_BEHALF_OF + " must carry a valid end-user access token of project "
                        + call.project()));
        return dev.cumulus.documents.Access.user(new dev.cumulus.documents.RequestAuth(user.id(), user.claims()));
    }

    /** The user of an identity document ({@code cognitoIdentityId}, {@code claims}) the node wrote itself. */
    private static dev.cumulus.documents.RequestAuth callerAuth(String identity) {
        com.fasterxml.jackson.databind.JsonNode doc = dev.cumulus.web.Json.parseObject(
                identity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.util.Map<String, Object> claims = dev.cumulus.web.Json.MAPPER.convertValue(doc.path("claims"),
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>>() {});
        return new dev.cumulus.documents.RequestAuth(doc.path("cognitoIdentityId").asText(), claims);
    }

    /**
     * Deletes code packages nothing has referenced for {@link #CODE_GRACE}, every
     * {@link #CODE_COLLECTION_INTERVAL}; returns what stops it.
     */
    private static AutoCloseable collectUnreferencedCode(FunctionRegistry registry) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("code-collector").daemon().factory());
        timer.scheduleWithFixedDelay(() -> {
            try {
                List<String> removed = registry.collectUnreferencedCode(CODE_GRACE);
                if (!removed.isEmpty()) {
                    LOG.info("deleted {} code packages no function or version has used for {}: {}", removed.size(),
                            CODE_GRACE, removed);
                }
            } catch (RuntimeException e) {
                LOG.warn("collecting unreferenced code packages failed; trying again in {}", CODE_COLLECTION_INTERVAL, e);
            }
        }, CODE_COLLECTION_INTERVAL.toMinutes(), CODE_COLLECTION_INTERVAL.toMinutes(), TimeUnit.MINUTES);
        return timer::shutdownNow;
    }

    /**
     * Creates the data dir with mode 700, or tightens an existing one (700, its files 600) and
     * says what was looser: it holds the Store, the root token's hash, keys and certificates.
     */
    private static Path secureDataDir(Path dataDir) throws IOException {
        boolean existed = Files.isDirectory(dataDir);
        PrivateFiles.createDirectory(dataDir);
        List<String> loosened = PrivateFiles.tighten(dataDir);
        if (existed && !loosened.isEmpty()) {
            LOG.warn("the data dir was readable by other users; tightened to 700 (dir) and 600 (files): {}", loosened);
        }
        return dataDir;
    }

    private static <T extends AutoCloseable> T push(Deque<AutoCloseable> closers, T closeable) {
        closers.push(closeable);
        return closeable;
    }

    /**
     * The runtime jar goes into every Java instance: from the config, the
     * {@code cumulus.runtime.jar} system property (set by the launcher), or beside the server jar.
     */
    private static Path runtimeJar(PlatformConfig config) throws IOException {
        Path jar = config.runtimeJar();
        if (jar == null && System.getProperty("cumulus.runtime.jar") != null) {
            jar = Path.of(System.getProperty("cumulus.runtime.jar"));
        }
        if (jar == null) {
            try {
                Path here = Path.of(Platform.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                jar = here.getParent().resolveSibling("runtime").resolve("cumulus-runtime.jar");
            } catch (java.net.URISyntaxException | RuntimeException e) {
                throw new IOException("cannot locate the Java runtime jar; set -Dcumulus.runtime.jar", e);
            }
        }
        if (!Files.isRegularFile(jar)) {
            throw new IOException("the Java runtime jar is missing at " + jar + "; set -Dcumulus.runtime.jar");
        }
        return jar.toAbsolutePath();
    }

    public URI url() {
        return edge.url();
    }

    /**
     * The root token as a local client reads it, from {@link #rootTokenFile()}: the node itself
     * keeps only its hash (ADR 0022).
     */
    public String rootToken() {
        try {
            return Files.readString(token.clientFile()).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the client copy of the root token is unreadable", e);
        }
    }

    /** Where local clients find the root token ({@code <data dir>/root-token}, mode 600). */
    public Path rootTokenFile() {
        return token.clientFile();
    }

    /** True when this start created the root token, so it should be shown once. */
    public boolean rootTokenCreated() {
        return token.created();
    }

    /** Every HTTP API the edge serves, with its routes. */
    public List<Api> apis() {
        return edge.apis();
    }

    /** What the edge holds now (connections, threads): how an attack's aftermath is measured. */
    public EdgeServer.Load edgeLoad() {
        return edge.load();
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /** The node's one door for asynchronous invocation (durable: see dev.cumulus.async). */
    public AsyncInvoker async() {
        return async;
    }

    /** Makes every invocation record so far durable, e.g. before reading usage. */
    public void flushMetering() {
        metering.meter().flush();
    }

    public dev.cumulus.metering.Usage usage() {
        return metering.usage();
    }

    /** The default project's registry; {@code registry().project(p)} is another project's. */
    public FunctionRegistry registry() {
        return registry;
    }

    /** The node's one door for synchronous invocation. */
    public Invoker invoker() {
        return invoker;
    }

    /**
     * Mints and verifies invocations' execution tokens; {@code executionTokens().principals()}
     * is what a Guard uses to turn a function's bearer token into its role's principal.
     */
    public ExecutionTokens executionTokens() {
        return executionTokens;
    }

    /** Every function's recent output, by project and name. */
    public LogStore logs() {
        return logs;
    }

    @Override
    public void close() {
        closeAll(closers);
    }

    private static void closeAll(Deque<AutoCloseable> closers) {
        while (!closers.isEmpty()) {
            try {
                closers.pop().close();
            } catch (Exception e) {
                LOG.warn("error while shutting down", e);
            }
        }
    }

}
