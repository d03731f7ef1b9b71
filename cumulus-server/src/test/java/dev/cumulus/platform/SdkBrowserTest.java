package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /sdk/cumulus.js} in headless Chromium, from a page of another origin than the node's:
 * sign-up and login, documents, queries, realtime changes through the SSE route, refusals by the
 * rules, logout; every call cross-origin, so CORS is exercised as browsers do it.
 */
class SdkBrowserTest {
    @TempDir
    static Path dataDir;

    static TestNode node;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c);
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"shop\"}").statusCode()).isEqualTo(201);
        assertThat(node.send("PUT", "/v1/projects/shop/db/collections/notes", """
                {"rules":{"read":"request.auth != null && resource.data.owner == request.auth.uid",
                 "list":"request.auth != null && resource.data.owner == request.auth.uid",
                 "create":"request.auth != null && request.data.owner == request.auth.uid",
                 "update":"request.auth != null && resource.data.owner == request.auth.uid"}}""").statusCode())
                .isEqualTo(201);
        chromium = new Chromium("<!doctype html><title>sdk test</title><p>sdk test</p>");
        assertThat(node.send("PUT", "/v1/projects/shop/user-settings",
                "{\"allowedOrigins\":[\"" + chromium.origin() + "\"]}").statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        node.close();
    }

    @Test
    void aPageOnAnotherOriginSignsInWritesQueriesAndSeesChangesLive() throws Exception {
        chromium.driver.get(chromium.origin() + "/");
        Object answer = chromium.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const node = arguments[0];
                (async () => {
                  const { createClient, CumulusError } = await import(node + "/sdk/cumulus.js");
                  const out = {};
                  const cumulus = createClient({ url: node, project: "shop" });
                  await cumulus.auth.signup("ada@example.com", "correct horse battery");
                  const who = await cumulus.auth.login("ada@example.com", "correct horse battery");
                  out.userId = who.userId;
                  const notes = cumulus.db.collection("notes");
                  const seen = [];
                  let arrived;
                  const twoArrived = new Promise(resolve => arrived = resolve);
                  let opened;
                  const open = new Promise(resolve => opened = resolve);
                  const stop = notes.listen(change => { seen.push(change.type + ":" + change.after.data.text);
                                                      if (seen.length === 2) arrived(); },
                                            { onError: e => out.listenError = String(e), onOpen: () => opened() });
                  await open; // the stream is there: the writes below come after its start
                  const first = await notes.create({ owner: who.userId, text: "one" });
                  out.created = first.id;
                  const patched = await notes.patch(first.id, { text: "two" }, { ifVersion: first.version });
                  out.version = patched.version;
                  out.got = (await notes.get(first.id)).data.text;
                  out.queried = (await notes.query({ where: { field: "owner", op: "==", value: who.userId } })).documents.length;
                  try { await notes.create({ owner: "someone-else", text: "x" }); out.denied = "no"; }
                  catch (e) { out.denied = e instanceof CumulusError ? e.status + " " + e.code : String(e); }
                  try { await notes.patch(first.id, { text: "three" }, { ifVersion: 1 }); out.stale = "no"; }
                  catch (e) { out.stale = e.status + " " + e.code; }
                  await Promise.race([twoArrived, new Promise(resolve => setTimeout(resolve, 60000))]);
                  stop();
                  out.seen = seen;
                  await cumulus.auth.logout();
                  try { await notes.get(first.id); out.afterLogout = "read"; }
                  catch (e) { out.afterLogout = e.status + " " + e.code; }
                  return out;
                })().then(done, e => done({ failed: String(e && e.stack || e) }));
                """, node.url("/").toString().replaceAll("/$", ""));
        JsonNode out = dev.cumulus.web.Json.MAPPER.valueToTree(answer);
        assertThat(out.has("failed")).as(out.toString()).isFalse();
        assertThat(out.get("userId").asText()).startsWith("u-");
        assertThat(out.get("got").asText()).isEqualTo("two");
        assertThat(out.get("version").asLong()).isEqualTo(2);
        assertThat(out.get("queried").asInt()).isEqualTo(1);
        assertThat(out.get("denied").asText()).isEqualTo("403 AccessDenied");
        assertThat(out.get("stale").asText()).isEqualTo("412 PreconditionFailed");
        assertThat(out.get("seen")).as(out.toString()).extracting(JsonNode::asText)
                .containsExactly("document.created:one", "document.updated:two");
        assertThat(out.get("afterLogout").asText()).isEqualTo("401 Unauthorized");
        assertThat(out.has("listenError")).as(out.toString()).isFalse();
    }
}
