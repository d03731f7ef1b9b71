package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TypesTest {
    interface MapHandler<V> extends RequestHandler<Map<String, V>, String> {}

    abstract static class Middle<A, B> implements MapHandler<List<B>> {}

    static class Concrete extends Middle<Integer, Long> {
        @Override
        public String handleRequest(Map<String, List<Long>> input, Context context) {
            return "";
        }
    }

    @SuppressWarnings("rawtypes")
    static class Raw implements RequestHandler {
        @Override
        public Object handleRequest(Object input, Context context) {
            return null;
        }
    }

    @Test
    void resolvesTheEventTypeThroughSubInterfacesAndSuperclasses() {
        assertThat(Types.typeArgumentOf(Concrete.class, RequestHandler.class, 0).getTypeName())
                .isEqualTo("java.util.Map<java.lang.String, java.util.List<java.lang.Long>>");
        assertThat(Types.typeArgumentOf(Concrete.class, RequestHandler.class, 1)).isEqualTo(String.class);
    }

    @Test
    void rawImplementationFallsBackToObject() {
        assertThat(Types.typeArgumentOf(Raw.class, RequestHandler.class, 0)).isEqualTo(Object.class);
    }
}
