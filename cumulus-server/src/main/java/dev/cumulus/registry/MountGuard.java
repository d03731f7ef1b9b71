package dev.cumulus.registry;

import dev.cumulus.auth.RootToken;
import dev.cumulus.errors.ApiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps admin-granted mounts away from the node's own state (issue 10, ADR 0022): the data dir
 * (Store, code, root token, keys), the Runtime API sockets of every instance and the AOT cache,
 * any path inside them and any parent of them, and any other node's data dir. Compared on real
 * paths, after every symlink: once when the mount is granted, and again at each launch, whose
 * bind then uses the real path it checked, since a link may point elsewhere by then.
 */
public final class MountGuard {
    private final List<Path> nodePaths;

    private MountGuard(List<Path> nodePaths) {
        this.nodePaths = nodePaths;
    }

    /** @param nodePaths directories of this node that no function may see; each must exist */
    public static MountGuard protecting(List<Path> nodePaths) throws IOException {
        List<Path> real = new ArrayList<>();
        for (Path p : nodePaths) {
            real.add(p.toRealPath());
        }
        return new MountGuard(List.copyOf(real));
    }

    /** Deploy time: a 400 InvalidMount unless {@code mount}'s source may be granted. */
    void check(FunctionMount mount) {
        Path real;
        try {
            real = Path.of(mount.source()).toRealPath();
        } catch (IOException e) {
            throw ApiException.badRequest("InvalidMount", "mount source does not exist: " + mount.source());
        }
        String problem = problem(real);
        if (problem != null) {
            throw ApiException.badRequest("InvalidMount", "mount source " + mount.source()
                    + (real.toString().equals(mount.source()) ? "" : " (really " + real + ")") + " " + problem
                    + "; grant the files the function needs, never the node's own");
        }
    }

    /**
     * Launch time: the real path to bind for {@code mount}, checked now.
     *
     * @throws IOException when the source is gone or now resolves into the node's own state
     */
    public Path realSource(FunctionMount mount) throws IOException {
        Path real = Path.of(mount.source()).toRealPath();
        String problem = problem(real);
        if (problem != null) {
            throw new IOException("refusing mount " + mount.source() + " -> " + mount.target() + ": it now resolves to "
                    + real + ", which " + problem);
        }
        return real;
    }

    private String problem(Path real) {
        for (Path own : nodePaths) {
            if (real.startsWith(own)) {
                return "is inside " + own + ", which holds the node's own state (root token, Store, code, sockets)";
            }
            if (own.startsWith(real)) {
                return "contains " + own + ", which holds the node's own state (root token, Store, code, sockets)";
            }
        }
        String name = real.getFileName() == null ? "" : real.getFileName().toString();
        if (name.equals(RootToken.CLIENT_FILE) || name.equals(RootToken.HASH_FILE)
                || Files.exists(real.resolve(RootToken.CLIENT_FILE)) || Files.exists(real.resolve(RootToken.HASH_FILE))) {
            return "is or holds a node's root token";
        }
        return null;
    }
}
