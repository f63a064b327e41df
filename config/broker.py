"""The embedded broker: kombu's file-system transport (a folder of message files under var/), so `make run`
has a real background worker with no server to install.

Two changes to kombu's own file-system channel, both about the one folder being shared by the web process
(which writes messages) and the worker (which takes them):
- a message is written under a name the worker does not look at and then renamed into place, so the worker
  never takes a file the web process is still writing (kombu writes the final name directly);
- the worker claims a message by renaming it inside var/ (atomic on one file system) rather than moving it
  to the system's temporary folder, which may be another file system (a copy, then a delete).
"""

import os
import uuid
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu's naming: <ms>_<uuid>.<queue>.msg, sorted by name = oldest first
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"  # "<queue>.msg.part": not a message of any queue
        try:
            with open(partial, "wb") as fh:
                fh.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        claimed_dir = self.processed_folder
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(claimed_dir, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:  # taken by another consumer meanwhile
                continue
            try:
                with open(claimed, "rb") as fh:
                    payload = fh.read()
            finally:
                os.unlink(claimed)
            return loads(bytes_to_str(payload))
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
