-- The W3C traceparent of the span that staged an event, when the service traces (dutyline.tracing):
-- the relay publishes the event in that trace, later and from another task. NULL: not traced.
ALTER TABLE outbox ADD COLUMN traceparent text;
