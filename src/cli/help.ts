// `kademlia --help`: the node command and the list of the others.
export const HELP = `Usage:
  kademlia -l HOST:PORT [-r HOST:PORT]    run one node; -r joins an existing network through it
           [--protocol kadswarm|mainline] [--state DIR] [--read-only]
  kademlia stress [options]               the seed's workload with N nodes in this process
  kademlia stress --duration D ...        an experiment over time: churn, lookups, a row per minute
  kademlia sweep FILE                     a grid of stress runs over the cores, compared
  kademlia host --nodes N -r HOST:PORT    host N nodes in this process, joined to a network
  kademlia help [COMMAND]                 this help, or a command's (stress, host, sweep)
  kademlia --version                      the version

Once running, the node reads commands on stdin, one per line:
  I <key> <value>   store a value (the rest of the line) that only this node may change
                    until it expires; prints "Stored <key> on N nodes"
  G <key>           print the value, or "Not found"
  PUT <text>        store an immutable item (BEP 44); prints "Stored <target> on N nodes"
  GET <target>      print the item with that target (40 hex digits), or "Not found"
  ANNOUNCE <infohash> <port>
                    tell the nodes nearest the infohash (40 hex digits) that we have
                    that torrent at <port> (BEP 5; 0: the port we send from); prints
                    "Announced <infohash> on N nodes"
  PEERS <infohash>  print the torrent's peers as "host:port host:port ...", or "Not found"
  Q                 quit
End of stdin does not stop the node; Q, Ctrl-C or SIGTERM do.

Options:
  -l, --listen HOST:PORT   UDP address to listen on (port 0: any free port)
  -r, --remote HOST:PORT   a node of the network to join
      --timeout MS         the longest a request waits, in ms (default 1000)
      --protocol P         kadswarm (default: our MessagePack protocol) or mainline
                           (BitTorrent's DHT: KRPC, BEP 5, 44 and 42; docs/protocol.md)
      --state DIR          keep the node's id, key, contacts and published values in
                           DIR/node.json: saved every 5 minutes and at exit, loaded at
                           start (saved contacts are pinged first; without -r the node
                           rejoins through the first that answers)
      --read-only          answer no queries and ask others not to keep us in their
                           routing tables (BEP 43: behind a strict NAT, on a metered
                           link); lookups, stores and announces still work
      --http HOST:PORT     serve the HTTP/WebSocket gateway and dashboard (port 0: any free port)
      --http-token T       bearer token that the gateway's PUT and DELETE need (default:
                           $KADSWARM_HTTP_TOKEN); required when HOST is not loopback
      --http-allow-host N  a host name browsers may use for the gateway (repeatable)
      --k N, --alpha N, --ttl D, --refresh D, --rate-limit R[/B], ...
                           the node's settings, with units: every flag of the "Node
                           settings" list in kademlia stress --help
  -h, --help               this help
  -V, --version            the version

Environment: KADEMLIA_NATIVE=0 forces the pure-TS backend, =1 requires the native addon.
Reference: docs/cli.md.`;

/** The one-line command summary printed at start. */
export const COMMANDS_LINE =
  'Commands: "I key value" store, "G key" get, "PUT text", "GET target", "ANNOUNCE infohash port", "PEERS infohash", "Q" quit\n';
