-- Beyond IAM: a PEM bundle of CA certificates an OIDC provider's TLS certificate may chain to (an
-- issuer behind a private CA). Set with `bin/irsa provider set-ca`; IAM's API neither shows nor sets it.
ALTER TABLE oidc_providers ADD COLUMN ca_bundle TEXT;
