-- The register of handovers (ListHandovers): a site's handovers newest first, paged by (time, id).
CREATE INDEX handovers_register ON handovers (site_id, submitted_at DESC, id DESC);
