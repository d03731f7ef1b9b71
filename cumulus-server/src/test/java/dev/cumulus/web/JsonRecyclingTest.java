package dev.cumulus.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The node serves each request on a new virtual thread: JSON buffers must outlive the thread. */
class JsonRecyclingTest {

    @Test
    void aBufferReleasedOnOneVirtualThreadIsReusedOnTheNext() throws InterruptedException {
        RecyclerPool<BufferRecycler> pool = Json.newMapper().getFactory()._getRecyclerPool();
        AtomicReference<BufferRecycler> first = new AtomicReference<>();
        AtomicReference<BufferRecycler> second = new AtomicReference<>();

        Thread.ofVirtual().start(() -> {
            BufferRecycler recycler = pool.acquireAndLinkPooled();
            first.set(recycler);
            recycler.releaseToPool();
        }).join();
        Thread.ofVirtual().start(() -> {
            BufferRecycler recycler = pool.acquireAndLinkPooled();
            second.set(recycler);
            recycler.releaseToPool();
        }).join();

        assertThat(second.get()).isSameAs(first.get());
    }

    @Test
    void theEdgeMapperAndTheEventMappersShareThatPool() {
        assertThat(Json.MAPPER.getFactory()._getRecyclerPool())
                .isSameAs(Json.newMapper().getFactory()._getRecyclerPool());
    }
}
