package dev.cumulus.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The node serves each request on a new virtual thread: JSON buffers must outlive the thread. */
class JsonRecyclingTest {

    @Test
    void buffersReleasedOnVirtualThreadsAreReusedByTheNextOnes() throws InterruptedException {
        RecyclerPool<BufferRecycler> pool = Json.newMapper().getFactory()._getRecyclerPool();
        Set<BufferRecycler> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 200; i++) {
            Thread.ofVirtual().start(() -> {
                BufferRecycler recycler = pool.acquireAndLinkPooled();
                synchronized (seen) {
                    seen.add(recycler);
                }
                recycler.releaseToPool();
            }).join();
        }
        // one after the other, 200 threads share a few recyclers (other tests may hold some of the
        // shared pool's at the same time); a per-thread pool would have made 200
        assertThat(seen).hasSizeLessThan(50);
    }

    @Test
    void theEdgeMapperAndTheEventMappersShareThatPool() {
        assertThat(Json.MAPPER.getFactory()._getRecyclerPool())
                .isSameAs(Json.newMapper().getFactory()._getRecyclerPool());
    }
}
