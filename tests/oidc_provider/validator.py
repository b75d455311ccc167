"""FranceConnect's claims, and the misbehaving users that make the provider send what a portal must refuse."""

import base64
import json
import time

from oauth2_provider.oauth2_validators import OAuth2Validator

# Users (by user name) whose login makes the provider send a bad ID token.
TAMPERED = "tampered"  # a claim changed after signing: the signature no longer matches
EXPIRED = "expired"  # expired an hour ago
WRONG_NONCE = "wrong-nonce"  # the nonce of another login
OTHER_USERINFO = "other-userinfo"  # userinfo about another person than the ID token


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Validator(OAuth2Validator):
    oidc_claim_scope = {"sub": "openid", "given_name": "given_name", "family_name": "family_name", "email": "email"}

    def get_additional_claims(self, request):
        user = request.user
        return {"given_name": user.first_name, "family_name": user.last_name, "email": user.email}

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        if request.user.username == OTHER_USERINFO:
            claims["sub"] = "someone-else"
        return claims

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        if request.user.username == EXPIRED:
            claims["exp"] = int(time.time()) - 3600
        return claims, expiration

    def finalize_id_token(self, id_token, token, token_handler, request):
        if request.user.username == WRONG_NONCE:
            request.nonce = "nonce-of-another-login"
            id_token["nonce"] = request.nonce
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        if request.user.username == TAMPERED:
            header, payload, signature = signed.split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["given_name"] = "Mallory"
            signed = ".".join([header, _b64(json.dumps(claims).encode()), signature])
        return signed
