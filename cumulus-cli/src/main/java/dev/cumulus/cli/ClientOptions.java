package dev.cumulus.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the node is and how to authenticate; mixed into every command that calls the REST API. */
public final class ClientOptions {
    @Option(names = "--url", paramLabel = "URL",
            description = "Node base URL. Default: $CUMULUS_URL, else the url file in the data dir.")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token. Default: $CUMULUS_TOKEN, else the root-token file in the data dir.")
    String token;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data dir of a local node, to find its url and root-token files. Default: $CUMULUS_DATA, else ./.cumulus.")
    Path dataDir;

    @Option(names = "--project", paramLabel = "PROJECT",
            description = "Project to act in. Default: $CUMULUS_PROJECT, else the current one ('cumulus projects use'),"
                    + " else the caller's own.")
    String project;

    public ClientOptions() {}

    ClientOptions(String url, String token, Path dataDir) {
        this.url = url;
        this.token = token;
        this.dataDir = dataDir;
    }
}
