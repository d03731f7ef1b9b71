package dev.cumulus.testlambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.util.Map;

/** An EventBridge scheduled event, whose {@code time} is a Joda DateTime and {@code detail-type} a renamed property. */
public class Scheduled implements RequestHandler<ScheduledEvent, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        return Map.of("detailType", event.getDetailType(), "source", event.getSource(),
                "epochMillis", event.getTime().getMillis(), "resources", event.getResources());
    }
}
