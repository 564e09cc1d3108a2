package io.openirsa.core;

/**
 * Who a web identity token says it is, verified or not: its provider (the ARN of the OIDC provider
 * of its issuer in the role's account), audience and subject. The audit record of an exchange names
 * it whether or not the exchange was allowed.
 */
public record WebIdentity(String providerArn, String audience, String subject) {
}
