-- Counting a function's events still waiting for delivery, on every asynchronous submit (the cap
-- of docs/adr/0021-seccomp-and-sandbox-limits.md), without reading its days of ended events.
CREATE INDEX async_events_pending ON async_events (project, function_name, state);
