package dev.cumulus.registry;

import dev.cumulus.store.Database;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The control plane for functions: configurations, code packages and versions.
 *
 * <p>Every method validates its input and throws {@link dev.cumulus.errors.ApiException} on bad
 * input; a refused call stores nothing.
 */
public interface FunctionRegistry {
    /** How large a code package may grow when unpacked. */
    long MAX_UNPACKED_CODE_BYTES = ZipEntries.MAX_UNPACKED_BYTES;

    /**
     * The registry kept in {@code db}, with code packages stored under {@code codeDir} (shared by
     * every node of a cluster), granting only mounts that {@code mounts} allows.
     */
    static FunctionRegistry open(Database db, Path codeDir, MountGuard mounts) {
        return new JdbcFunctionRegistry(db, codeDir, Clock.systemUTC(), mounts);
    }

    /**
     * The same registry seen from {@code project}: every function it names, lists, creates or
     * resolves is that project's, and names are unique per project only. The registry
     * {@link #open} returns is the default project's. A 400 InvalidProject for a malformed name.
     */
    FunctionRegistry project(String project);

    /** The project this view reads and writes. */
    String project();

    /** Every project that has at least one function, by name: what the node serves at start. */
    List<String> projects();

    /**
     * Stores a code package (zip or jar) content-addressed by sha256, refusing more than
     * {@code maxBytes} or anything that is not a readable zip. Idempotent.
     */
    CodeRef storeCode(InputStream packageBytes, long maxBytes);

    /**
     * Deletes the code packages that no function and no version references, once they have been
     * unreferenced (as seen by this method's earlier calls on this node) and not uploaded again
     * for at least {@code grace}: an upload followed by a deploy within {@code grace} never loses
     * its package, and instances still draining on old code keep it that long.
     *
     * @return the sha256 of each package deleted
     */
    List<String> collectUnreferencedCode(Duration grace);

    /**
     * Creates or updates a function's {@code $LATEST} configuration and code in one step.
     * {@code codeSha256} must name stored code on create; on update null keeps the current code.
     * The handler class must exist in the code package. Asked with the root token's authority;
     * see {@link #put(FunctionConfig, String, Authority)}.
     */
    default FunctionInfo put(FunctionConfig config, String codeSha256) {
        return put(config, codeSha256, Authority.ROOT_TOKEN);
    }

    /**
     * {@link #put(FunctionConfig, String)} asked by {@code authority}: one that does not grant
     * mounts may neither change a function's mounts nor what runs beside them (code, runtime,
     * handler, environment) when it has any; that is a 403 MountAuthorityRequired.
     */
    FunctionInfo put(FunctionConfig config, String codeSha256, Authority authority);

    Optional<FunctionInfo> get(String name);

    List<FunctionInfo> list();

    /** Deletes the function and its versions; false if there was none. */
    boolean delete(String name);

    /** Publishes the current {@code $LATEST} as the next immutable version. */
    FunctionVersion publish(String name);

    /**
     * Deletes one published version; false if there was none. An alias that points or routes
     * to it is a 409: Lambda refuses to delete a version an alias uses.
     */
    boolean deleteVersion(String name, String version);

    /** Published versions, oldest first. */
    List<FunctionVersion> versions(String name);

    /**
     * The version to run for {@code name} and {@code qualifier} ({@code null} or {@code $LATEST}
     * for the draft, a number for a published version, or an alias name). An alias with routing
     * picks its second version at random with the alias's weight, on every call. Throws a 404
     * ApiException if unknown.
     */
    FunctionVersion resolve(String name, String qualifier);

    /**
     * Creates alias {@code alias} of function {@code name}. Its versions must exist (404
     * otherwise); an existing alias of that name is a 409.
     */
    Alias createAlias(String name, String alias, Alias.Spec spec);

    /**
     * Replaces an alias's version, description and routing. With {@code expectedRevision} not
     * null, refuses (412) when the alias changed since the caller read it.
     */
    Alias updateAlias(String name, String alias, Alias.Spec spec, String expectedRevision);

    Optional<Alias> alias(String name, String alias);

    /** The function's aliases by name; 404 if the function does not exist. */
    List<Alias> aliases(String name);

    /** Deletes an alias; false if there was none. */
    boolean deleteAlias(String name, String alias);

    /** The stored code package itself (the zip or jar as it was uploaded), for downloads. */
    Path codePackage(CodeRef code);

    /** A directory holding the unpacked code package, created on first use and then reused. */
    Path unpackedCode(CodeRef code);
}
