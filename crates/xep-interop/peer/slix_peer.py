"""The second client of the interop suite: slixmpp, an independent
implementation, checks our XEP-0115 capabilities and advertises its own.

Usage: slix_peer.py JID PASSWORD HOST PORT CA_PEM TARGET_FULL_JID SECONDS

It logs in (STARTTLS, verifying the server against CA_PEM), sends its
presence (with its own caps) to TARGET, waits for TARGET's presence with
caps, lets slixmpp's XEP-0115 plugin query and verify them, and prints one
JSON line: {"verified": bool, "ver": str|null, "features": [...]}.
"""

import asyncio
import json
import sys

import slixmpp


class Peer(slixmpp.ClientXMPP):
    def __init__(self, jid, password, target, seconds):
        super().__init__(jid, password)
        self.target = slixmpp.JID(target)
        self.seconds = seconds
        self.result = {"verified": False, "ver": None, "features": []}
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0115")
        self.add_event_handler("session_start", self.start)

    async def start(self, _event):
        # Our own ver first, so that the presences carry it.
        await self["xep_0115"].update_caps()
        self.send_presence()
        self.send_presence(pto=self.target)
        for _ in range(int(self.seconds * 10)):
            await asyncio.sleep(0.1)
            ver = await self["xep_0115"].get_verstring(self.target)
            if ver:
                info = await self["xep_0115"].get_caps(self.target)
                self.result = {
                    "verified": info is not None,
                    "ver": ver,
                    "features": sorted(info["features"]) if info is not None else [],
                }
                break
        # Stay long enough for the other side to query our caps.
        await asyncio.sleep(1.0)
        self.disconnect()


def main():
    jid, password, host, port, ca, target, seconds = sys.argv[1:8]
    peer = Peer(jid, password, target, float(seconds))
    peer.ca_certs = ca
    peer.connect(address=(host, int(port)), force_starttls=True)
    peer.loop.run_until_complete(peer.disconnected)
    print(json.dumps(peer.result), flush=True)


if __name__ == "__main__":
    main()
