-- Kubernetes clusters registered by their issuer URL (`irsa cluster register`): their API server signs
-- the tokens; these say how to fetch its keys. discovery_token is sealed like other secrets.
ALTER TABLE clusters ADD COLUMN registered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clusters ADD COLUMN discovery_ca_bundle TEXT;
ALTER TABLE clusters ADD COLUMN discovery_token TEXT;
