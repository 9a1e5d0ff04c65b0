"""Zendesk manifest parameters: types, names, and secrets kept secure with scopes.

Source: zendesk_apps_support validations/manifest.rb (parameters_error, invalid_type_error,
invalid_hidden_parameter_error, oauth rules) and validations/secure_settings.rb, whose
warnings (secret-looking names not secure, secure without scopes, secure defaults) payverify
refuses outright. Scopes: https://developer.zendesk.com/documentation/apps/getting-started/setting-up-new-apps/#scopes
"""

from __future__ import annotations

import re
from typing import Any

PARAMETER_TYPES = ("text", "password", "checkbox", "url", "number", "multiline", "hidden", "oauth")
SECRET_NAME = re.compile(r"token|key|pwd|password", re.IGNORECASE)


def parameter_problems(manifest: dict[str, Any]) -> list[str]:
    """Every reason Zendesk would refuse the manifest's parameters."""
    parameters = manifest.get("parameters")
    if parameters is None:
        return []
    if not isinstance(parameters, list):
        return ["manifest.json: parameters must be an array"]
    if manifest.get("marketingOnly") is True and parameters:
        return ["manifest.json: a marketing-only app cannot have parameters"]
    problems: list[str] = []
    names = [p.get("name") for p in parameters if isinstance(p, dict)]
    duplicates = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if duplicates:
        problems.append(f"manifest.json: duplicate parameter name(s): {', '.join(duplicates)}")
    if sum(1 for p in parameters if isinstance(p, dict) and p.get("type") == "oauth") > 1:
        problems.append("manifest.json: only one parameter may have type oauth")
    for index, parameter in enumerate(parameters):
        problems += _parameter(index, parameter)
    return problems


def _parameter(index: int, parameter: Any) -> list[str]:
    if not isinstance(parameter, dict):
        return [f"manifest.json: parameters[{index}] must be an object"]
    name = parameter.get("name")
    where = f"manifest.json: parameter {name!r}" if name else f"manifest.json: parameters[{index}]"
    if not isinstance(name, str) or not name:
        return [f"{where}: name is missing"]
    problems = []
    if name == "name":
        problems.append(f"{where}: 'name' is reserved and cannot be a parameter name")
    kind = parameter.get("type", "text")
    if kind not in PARAMETER_TYPES:
        problems.append(f"{where}: unknown type {kind!r} (allowed: {', '.join(PARAMETER_TYPES)})")
    for flag in ("required", "secure"):
        if flag in parameter and not isinstance(parameter[flag], bool):
            problems.append(f"{where}: {flag} must be true or false")
    secure = parameter.get("secure") is True
    if kind == "hidden" and parameter.get("required") is True:
        problems.append(f"{where}: a hidden parameter cannot be required")
    if kind == "oauth" and secure:
        problems.append(f"{where}: an oauth parameter cannot be secure")
    if secure and "default" in parameter:
        problems.append(f"{where}: a secure parameter cannot ship a default value")
    if secure:
        scopes = parameter.get("scopes")
        if not (isinstance(scopes, list) and scopes and all(isinstance(s, str) for s in scopes)):
            problems.append(f"{where}: a secure parameter needs scopes, e.g. [\"header\"], "
                            "to limit where Zendesk may insert it")  # fmt: skip
    elif SECRET_NAME.search(name) and kind in ("text", "password"):
        problems.append(f'{where}: looks like a secret; mark it "secure": true with scopes')
    return problems
