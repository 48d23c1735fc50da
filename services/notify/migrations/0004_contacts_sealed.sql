-- Staff contacts at rest: a delivery attempt keeps its address masked as readers see it (the
-- sealed one is in the notification's routes); attempts stored before are masked here, as
-- services/notify/people/channels/base.py mask_address does. Routes stored in clear are sealed
-- by notify in the background (the partial index finds them).
UPDATE delivery_attempts SET address = CASE
    WHEN address LIKE '%://%' THEN
        split_part(address, '://', 1) || '://'
        || regexp_replace(split_part(split_part(address, '://', 2), '/', 1), '^.*@', '') || '/…'
    WHEN address LIKE '%@%' THEN left(address, 1) || '***@' || regexp_replace(address, '^.*@', '')
    WHEN length(address) > 4 THEN '***' || right(address, 4)
    ELSE '***'
END
WHERE address NOT LIKE '***%' AND address NOT LIKE '_***@%' AND address NOT LIKE '%/…';
CREATE INDEX notifications_routes_in_clear ON notifications (id) WHERE jsonb_path_exists(routes, '$[*].address');
