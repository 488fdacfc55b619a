"""Master key providers: where the keyring gets the keys that wrap data keys.

The keyring calls the function named by SUNFLOWER_MASTER_KEY_PROVIDER once per process and
uses what it returns (`crypto.MasterKeys`): the current key wraps new data keys and re-wraps old
ones during rotation; previous keys only unwrap data keys not yet re-wrapped.

The default, `local_master_keys`, reads the current key from SUNFLOWER_MASTER_KEY_FILE or, when
no file is given, from SUNFLOWER_MASTER_KEY (base64 in the environment), and previous keys from
the files in SUNFLOWER_PREVIOUS_MASTER_KEY_FILES. A KMS adapter is a module with its own
provider function, for example:

    def kms_master_keys() -> crypto.MasterKeys:
        return crypto.MasterKeys(
            current=KmsMasterKey(client, "sunflower-master/v2"),
            previous=(KmsMasterKey(client, "sunflower-master/v1"),),
        )

where KmsMasterKey implements `crypto.MasterKey` by calling the KMS; set
SUNFLOWER_MASTER_KEY_PROVIDER=dotted.path.to.kms_master_keys.
"""

from __future__ import annotations

from django.conf import settings

from sunflower.lib import crypto
from sunflower.lib.config import ConfigError


def local_master_keys() -> crypto.MasterKeys:
    if settings.SUNFLOWER_MASTER_KEY_FILE:
        current = crypto.LocalMasterKey.from_file(settings.SUNFLOWER_MASTER_KEY_FILE)
    elif settings.SUNFLOWER_MASTER_KEY:
        current = crypto.LocalMasterKey.from_base64(settings.SUNFLOWER_MASTER_KEY)
    else:
        raise ConfigError("no master key: set SUNFLOWER_MASTER_KEY_FILE or SUNFLOWER_MASTER_KEY")
    previous = tuple(
        crypto.LocalMasterKey.from_file(path, "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES entry")
        for path in settings.SUNFLOWER_PREVIOUS_MASTER_KEY_FILES
    )
    return crypto.MasterKeys(current=current, previous=previous)
