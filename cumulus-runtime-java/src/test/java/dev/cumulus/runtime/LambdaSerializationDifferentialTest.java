package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.joda.time.DateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime's binding against AWS Lambda's own serialiser (aws-lambda-java-serialization), the
 * reference for what a Lambda handler receives: the same event document is bound by both, and
 * both objects are then written by Lambda's serialiser; equal JSON means equal objects, field by
 * field, whatever the classes' equals. Results are compared by writing them with both.
 */
class LambdaSerializationDifferentialTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("apigw-v2-http-get.json", APIGatewayV2HTTPEvent.class),
                Arguments.of("apigw-v2-http-post-base64.json", APIGatewayV2HTTPEvent.class),
                Arguments.of("sqs.json", SQSEvent.class),
                Arguments.of("s3-put.json", S3Event.class),
                Arguments.of("s3-delete-minimal.json", S3Event.class),
                Arguments.of("scheduled.json", ScheduledEvent.class),
                Arguments.of("sns.json", com.amazonaws.services.lambda.runtime.events.SNSEvent.class),
                Arguments.of("apigw-rest-proxy.json", com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.class),
                Arguments.of("eventbridge-custom.json", ScheduledEvent.class));
    }

    @ParameterizedTest
    @MethodSource("corpus")
    <T> void bindsRealEventsAsLambdaDoes(String document, Class<T> type) {
        String json = resource(document);
        PojoSerializer<T> lambda = LambdaEventSerializers.serializerFor(type, getClass().getClassLoader());
        T theirs = lambda.fromJson(json);
        T ours = type.cast(JsonBinder.bind(JsonParser.parse(json), type));
        assertThat(tree(lambda, ours)).isEqualTo(tree(lambda, theirs));
    }

    @Test
    void theFieldsLambdaRenamesOrTypesSpecially() {
        APIGatewayV2HTTPEvent post = bind("apigw-v2-http-post-base64.json", APIGatewayV2HTTPEvent.class);
        assertThat(post.getIsBase64Encoded()).isTrue();
        assertThat(post.getRequestContext().getHttp().getSourceIp()).isEqualTo("198.51.100.7");
        assertThat(post.getRequestContext().getTimeEpoch()).isEqualTo(1795774530000L);

        SQSEvent sqs = bind("sqs.json", SQSEvent.class);
        assertThat(sqs.getRecords()).hasSize(2);
        assertThat(sqs.getRecords().getFirst().getEventSourceArn()).isEqualTo("arn:aws:sqs:us-east-2:123456789012:my-queue");
        assertThat(sqs.getRecords().getFirst().getMessageAttributes().get("blob").getBinaryValue().remaining()).isEqualTo(3);

        S3Event s3 = bind("s3-put.json", S3Event.class);
        var record = s3.getRecords().getFirst();
        assertThat(record.getS3().getObject().getSizeAsLong()).isEqualTo(3221225472L);
        assertThat(record.getS3().getObject().geteTag()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(record.getS3().getObject().getUrlDecodedKey()).isEqualTo("holiday/cat photo(1).jpg");
        assertThat(record.getResponseElements().getxAmzRequestId()).isEqualTo("EXAMPLE123456789");
        assertThat(record.getEventTime().getMillis()).isEqualTo(DateTime.parse("2026-11-27T10:15:30.123Z").getMillis());

        var sns = bind("sns.json", com.amazonaws.services.lambda.runtime.events.SNSEvent.class).getRecords().getFirst();
        assertThat(sns.getEventSubscriptionArn()).endsWith(":orders:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55");
        assertThat(sns.getSNS().getMessageAttributes().get("retries").getValue()).isEqualTo("3");
        assertThat(sns.getSNS().getTimestamp().getMillis()).isEqualTo(DateTime.parse("2026-11-27T10:15:30Z").getMillis());

        ScheduledEvent custom = bind("eventbridge-custom.json", ScheduledEvent.class);
        assertThat(custom.getDetailType()).isEqualTo("OrderPlaced");
        assertThat(custom.getTime().getMillis()).isEqualTo(DateTime.parse("2026-11-26T21:59:59.250Z").getMillis());
        assertThat(custom.getDetail()).containsEntry("orderId", "o-17");
    }

    @Test
    void writesAnHttpApiResponseAsLambdaDoes() {
        APIGatewayV2HTTPResponse response = APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                .withHeaders(Map.of("Content-Type", "image/png")).withMultiValueHeaders(Map.of("Vary", List.of("a", "b")))
                .withCookies(List.of("s=1; HttpOnly")).withBody("iVBORw0KGgo=").withIsBase64Encoded(true).build();
        PojoSerializer<APIGatewayV2HTTPResponse> lambda =
                LambdaEventSerializers.serializerFor(APIGatewayV2HTTPResponse.class, getClass().getClassLoader());
        JsonNode ours = read(EventCodec.encodeForLambda(response));
        assertThat(ours).isEqualTo(tree(lambda, response));
        assertThat(ours.get("isBase64Encoded").asBoolean()).isTrue();
    }

    @Test
    void writesAScheduledEventsTimeAsLambdaDoes() {
        ScheduledEvent event = bind("eventbridge-custom.json", ScheduledEvent.class);
        PojoSerializer<ScheduledEvent> lambda =
                LambdaEventSerializers.serializerFor(ScheduledEvent.class, getClass().getClassLoader());
        assertThat(read(EventCodec.encodeForLambda(event)).get("time")).isEqualTo(tree(lambda, event).get("time"));
    }

    static Stream<String> pojoDocuments() {
        return Stream.of(
                "{\"name\":\"Ada\",\"active\":true,\"addresses\":[{\"city\":\"London\",\"floor\":2,\"lat\":51.5}],"
                        + "\"labels\":{\"team\":\"core\"},\"aliases\":[\"countess\",\"al\"],\"age\":36}",
                "{\"name\":null,\"addresses\":[],\"unknown\":{\"deep\":[1,2]}}",
                "{\"NAME\":\"upper\",\"Active\":\"true\",\"addresses\":[{\"CITY\":\"B\",\"floor\":\"3\",\"lat\":\"2.5\"}]}",
                "{\"age\":7.0,\"addresses\":null}",
                "{\"active\":\"true\",\"age\":\"12\",\"labels\":{\"k\":null,\"j\":\"v\"},\"aliases\":[null,\"n\"],"
                        + "\"addresses\":[{\"floor\":\"3\",\"lat\":1e2}]}",
                "{}");
    }

    @ParameterizedTest
    @MethodSource("pojoDocuments")
    void bindsAndWritesPojosAsLambdaDoes(String json) {
        PojoSerializer<Profile> lambda = JacksonFactory.getInstance().getSerializer(Profile.class);
        Profile theirs = lambda.fromJson(json);
        Profile ours = (Profile) JsonBinder.bind(JsonParser.parse(json), Profile.class);
        JsonNode expected = tree(lambda, theirs);
        assertThat(tree(lambda, ours)).isEqualTo(expected);
        assertThat(read(EventCodec.encodeForLambda(ours))).isEqualTo(expected);
    }

    @Test
    void writesMapsListsAndScalarsAsLambdaDoes() {
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("a", List.of(1, 2.5, "x", true));
        value.put("b", Map.of("c", "d"));
        value.put("none", null);
        PojoSerializer<Object> lambda = JacksonFactory.getInstance().getSerializer((java.lang.reflect.Type) Object.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        lambda.toJson(value, out);
        assertThat(read(EventCodec.encodeForLambda(value))).isEqualTo(read(out.toByteArray()));
    }

    private static <T> T bind(String document, Class<T> type) {
        return type.cast(JsonBinder.bind(JsonParser.parse(resource(document)), type));
    }

    private static <T> JsonNode tree(PojoSerializer<T> serializer, T value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer.toJson(value, out);
        return read(out.toByteArray());
    }

    private static JsonNode read(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = LambdaSerializationDifferentialTest.class.getResourceAsStream("/lambda-events/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A POJO of the kind Lambda users write: mutable, with getters and setters. */
    public static class Profile {
        private String name;
        private boolean active;
        private List<Address> addresses;
        private Map<String, String> labels;
        private List<String> aliases;
        private Integer age;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public boolean isActive() {
            return active;
        }

        public void setActive(boolean active) {
            this.active = active;
        }

        public List<Address> getAddresses() {
            return addresses;
        }

        public void setAddresses(List<Address> addresses) {
            this.addresses = addresses;
        }

        public Map<String, String> getLabels() {
            return labels;
        }

        public void setLabels(Map<String, String> labels) {
            this.labels = labels;
        }

        public List<String> getAliases() {
            return aliases;
        }

        public void setAliases(List<String> aliases) {
            this.aliases = aliases;
        }

        public Integer getAge() {
            return age;
        }

        public void setAge(Integer age) {
            this.age = age;
        }
    }

    public static class Address {
        private String city;
        private int floor;
        private double lat;

        public String getCity() {
            return city;
        }

        public void setCity(String city) {
            this.city = city;
        }

        public int getFloor() {
            return floor;
        }

        public void setFloor(int floor) {
            this.floor = floor;
        }

        public double getLat() {
            return lat;
        }

        public void setLat(double lat) {
            this.lat = lat;
        }
    }
}
