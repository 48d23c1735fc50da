-- The caller's unit and address are personal data too: sealed like the name and number (AES-GCM,
-- bound to the row and field), with masked copies for display. caller_unit and caller_address hold
-- only what rows registered before this had in clear, until intake re-seals them (and empties them).
ALTER TABLE calls
    ADD COLUMN caller_unit_enc bytea,
    ADD COLUMN caller_address_enc bytea,
    ADD COLUMN caller_unit_masked text NOT NULL DEFAULT '',
    ADD COLUMN caller_address_masked text NOT NULL DEFAULT '';
-- What is still to re-seal: clear values, or values sealed before they were bound to their place.
CREATE INDEX calls_to_reseal ON calls (id)
    WHERE caller_unit <> '' OR caller_address <> ''
       OR substring(caller_name_enc FROM 1 FOR 3) <> 'v2:'::bytea
       OR substring(caller_phone_enc FROM 1 FOR 3) <> 'v2:'::bytea;
