"""The helpdesk app packages: validators that apply the vendors' rules, and zip builders."""

from plugin.packaging.deployment import Deployment, DeploymentError, deployment_from_settings
from plugin.packaging.freshdesk import build_freshdesk_zip, validate_freshdesk
from plugin.packaging.zendesk import build_zendesk_zip, validate_zendesk

__all__ = [
    "Deployment",
    "DeploymentError",
    "build_freshdesk_zip",
    "build_zendesk_zip",
    "deployment_from_settings",
    "validate_freshdesk",
    "validate_zendesk",
]
