// What each configuration key means, for baysync.toml(5). The keys, types, defaults and limits
// come from the zod schema itself (manpage.ts); a test fails when a key of the schema has no
// line here or a line here names no key. Contract: plain data.
export const sectionDocs: Record<string, string> = {
  storage: "The rotation's pool: the top RAID1 that holds the BackupPC pool. Required with [[sets]].",
  root_mirror:
    "Optional: the root mirror (md1). The sets' partitions of it join it during a rotation and leave it at the detach.",
  sets: 'One [[sets]] block per external drive set.',
  realtime: 'The standby sync: rsync of a data tree between the main server and its standby.',
  'realtime.remote': 'How this host reaches the other one.',
  failover:
    'The failover monitor on the standby: probes of the main server on two networks, and the takeover of its address.',
  'failover.lan': 'The LAN path to the main server.',
  'failover.segment': 'The dedicated segment between the two servers.',
  copy: 'The snapshot copy, on the primary: the volume read and the secondary it is sent to.',
  'copy.receiver': 'The secondary, reached over ssh with a key whose forced command is `baysync copy receive`.',
  copy_receive:
    'The snapshot copy, on the secondary: the one volume `baysync copy receive` writes. The sender cannot name another.',
  backuppc: 'The BackupPC server whose dumps are paused for a rotation.',
  mail: 'Where reports and warnings go. Every mail is spooled first and retried until the transport accepts it.',
  'mail.smtp': 'The SMTP server, when transport = "smtp".',
  policy: 'How rotations run and how their copies are verified.',
  metrics:
    "A Prometheus textfile for node_exporter's textfile collector, rewritten after each job's change (timestamps, durations, bytes, failures).",
  paths: 'Where baysync keeps its state and where it reads the system (changed only by tests).',
};

export const keyDocs: Record<string, string> = {
  'copy.transport':
    '"ssh" (a forced-command key) or "tcp" (a raw stream to baysync-copy-receive.socket, every chunk signed with the shared key, not encrypted: for a dedicated link only).',
  'copy.key_file': 'The shared key for transport = "tcp": 32 bytes or more, mode 600, the same file on the secondary.',
  'copy.receiver.tcp_port': 'The port of the secondary\'s baysync-copy-receive.socket (transport = "tcp").',
  'copy_receive.key_file': "The shared key for copies received over TCP; the same file as the sender's.",
  'copy_receive.tcp_allow':
    'The senders accepted over TCP (IPv4 addresses); any other is refused before a byte is read.',
  'copy.receiver.host': "The secondary's host name or address.",
  'copy.receiver.user': 'The login on the secondary whose authorized key runs `baysync copy receive`.',
  'copy.receiver.port': "The secondary's ssh port.",
  'copy.receiver.ssh_key': 'The private key for that login (mode 600).',
  'copy.receiver.known_hosts': "The file holding the secondary's host key; an unknown key is refused.",
  'copy.receiver.connect_timeout_seconds': 'How long ssh waits for the secondary to answer.',
  'copy.volume':
    'The LVM volume holding the pool, as "vg/lv": each run takes a snapshot of it, named and tagged as baysync\'s, and reads the snapshot.',
  'copy.source':
    'Instead of copy.volume, for `baysync copy send` by hand: an unmounted block device (a snapshot) or a file.',
  'copy.snapshot_size':
    'The copy-on-write space of a classic snapshot: "100%FREE" (all free space of the volume group), "50%ORIGIN", or a size such as "20G". A thin volume\'s snapshot uses its pool.',
  'copy.snapshot_abort_percent':
    'The copy stops, removes its snapshot and says why when the snapshot (or the thin pool) is this full, before the kernel would invalidate it.',
  'copy.fill_check_seconds':
    "How often the snapshot's fill is read while a copy runs; nothing is read while none runs.",
  'copy.pool_mountpoint': 'Where copy.volume is mounted: a run refuses a volume that does not hold the mounted pool.',
  'copy.config_dir': 'The BackupPC configuration, copied to the secondary before the volume.',
  'copy.config_ssh_key':
    "The private key whose forced command on the secondary (rrsync) can write only the configuration's backup directory.",
  'copy.max_age_days': "`baysync check` warns when the secondary's last verified copy is older than this.",
  'copy.chunk_mib': 'The unit of comparison and transfer: the secondary keeps one SHA-256 per chunk.',
  'copy.read_ahead': 'Chunks read ahead of the hash and the link, so that disk, CPU and network overlap.',
  'copy_receive.target':
    'The volume written: it must exist, be at least as large as the source and not be mounted (a block device is opened exclusively).',
  'copy_receive.fsck':
    "After a verified copy, check the target's filesystem without modifying it (xfs_repair -n, e2fsck -fn): whether the secondary could mount the pool.",
  'copy_receive.primary':
    '`baysync copy promote` refuses while this host (the primary) answers a ping, unless --force.',
  'copy_receive.mountpoint': 'Where `baysync copy promote` mounts the target.',
  'copy_receive.config_backup': "Where the primary's BackupPC configuration arrives: the directory of its rrsync key.",
  'copy_receive.backuppc_config':
    'The configuration `baysync copy promote` replaces with the copy; the old one is kept beside it.',
  'copy_receive.batch_mib': 'Bytes written between two fsyncs; each batch is read back from the device and compared.',
  'storage.top_mirror_uuid': "md UUID of the top RAID1 (the seed's md7), as `mdadm --detail` prints it.",
  'storage.mountpoint': 'Where the pool is mounted.',
  'storage.marker_dir': 'A directory, relative to the mountpoint, that must exist on a good copy.',
  'storage.freeze': 'How the pool is quiesced for the detach: "fsfreeze" (short) or "remount-ro" (the seed\'s way).',
  'root_mirror.uuid': 'md UUID of the root mirror.',
  'root_mirror.partition':
    "Partition number of the root-mirror member on each external disk; a blank partition there (a new set) is added. Omit to use only partitions that already carry the root mirror's superblock.",
  'sets.name': "The set's name, used in mails, status and commands (letters, digits, _ and -).",
  'sets.stripe_uuid': "md UUID of the set's RAID0 stripe, found on its disks (`mdadm --examine`).",
  'sets.mirror_uuid': 'md UUID of the degraded RAID1 (md5/md6) the stripe is the missing half of.',
  'sets.stripe_device': 'The md device name the stripe is assembled as (md8, md9).',
  'realtime.mode':
    '"pull": this host is the standby and fetches on baysync-sync.timer. "push": this host is the main server and sends changes on file events.',
  'realtime.source': 'The data tree on the main server (with ssh and rrsync, the path as rrsync sees it).',
  'realtime.destination': 'The copy on the standby.',
  'realtime.remote.transport': '"ssh" (a forced-command key) or "rsyncd" (a read-only module).',
  'realtime.remote.host': "The other host's address on the dedicated segment.",
  'realtime.remote.user': 'The ssh or rsyncd user.',
  'realtime.remote.port': 'The ssh or rsyncd port, when not the default.',
  'realtime.remote.ssh_key':
    'The private key whose forced command on the other host allows this sync and nothing else.',
  'realtime.remote.known_hosts': 'The known_hosts file for the other host (strict host key checking).',
  'realtime.remote.module': 'The rsyncd module, with transport = "rsyncd".',
  'realtime.remote.password_file': 'The rsyncd client password file (mode 0600).',
  'realtime.remote.connect_timeout_seconds': 'How long a connection to the other host may take.',
  'realtime.source_marker':
    'A file that must exist at the top of the source: an unmounted tree looks empty, and a sync of it would delete the copy.',
  'realtime.local_mountpoint':
    'The local side (push: the source; pull: the destination) must be this mounted filesystem.',
  'realtime.max_delete_percent': "Refuse deletions beyond this share of the copy's files (rsync --max-delete).",
  'realtime.max_delete_min_files': 'But always allow this many deletions.',
  'realtime.bwlimit_kbps': 'rsync --bwlimit in KiB/s (0: no limit).',
  'realtime.excludes': 'rsync exclude patterns, one per element.',
  'realtime.partial': 'Keep partly transferred files so that a cut transfer resumes.',
  'realtime.interval_seconds': "Pull: the timer's interval. Push: the fallback timer when the file watcher cannot run.",
  'realtime.debounce_ms': 'Push: changes are gathered this long after the last event (at most 4 times this).',
  'realtime.reconcile_minutes': 'Push: a full rsync at start and at this interval catches what the watcher missed.',
  'realtime.io_timeout_seconds': 'rsync --timeout: a run whose I/O stalls this long is aborted.',
  'failover.enabled':
    'Probe the main server (false: no probes and no takeover; `baysync failover status` and `failback` still work).',
  'failover.lan.peer': "The main server's address on the LAN.",
  'failover.lan.interface': "This host's LAN interface (the probes go out through it).",
  'failover.segment.peer': "The main server's address on the dedicated segment.",
  'failover.segment.interface': "This host's interface on the dedicated segment.",
  'failover.service_address': 'The address taken over, with its prefix (default: lan.peer/24).',
  'failover.interval_ms': 'Time between two probe rounds.',
  'failover.timeout_ms': 'How long one probe waits for its answer.',
  'failover.fall': 'Consecutive failed probes before a path counts as down (both down: takeover).',
  'failover.rise': 'Consecutive good probes before a down path counts as up again.',
  'failover.fence_ssh_key':
    'A key whose forced command on the main server brings its LAN interface down, tried over the segment before the takeover.',
  'failover.fence_command':
    'Fencing that works on a dead main server too: a command run here, as an argv (no shell), e.g. an IPMI power-off.',
  'failover.require_fence': 'No takeover without a successful fence.',
  'failover.cure_ssh_key':
    'A key whose forced command on the main server tries to mend its LAN, used once when only the LAN probe fails.',
  'failover.failback_ssh_key':
    'A key whose forced command on the main server is a writable rrsync of the data tree (`baysync failover failback`).',
  'failover.ssh_user': 'The user the fence, cure and failback keys log in as.',
  'failover.known_hosts': 'The known_hosts file for the main server.',
  'failover.stop_units': 'Units stopped at the takeover (the sync first).',
  'failover.services': 'Units started at the takeover, once the address is here.',
  'backuppc.enabled': "Pause BackupPC's dumps for a rotation (false: a pool without BackupPC).",
  'backuppc.control_include':
    'The one-line include that config.pl loads (do "...";); baysync writes $Conf{BackupsDisable} there.',
  'backuppc.server_mesg': "BackupPC_serverMesg, used to reload the server's config.",
  'backuppc.user': 'The user BackupPC runs as.',
  'backuppc.service': "BackupPC's systemd unit.",
  'backuppc.stop_when_idle': 'Stop BackupPC while the mirror syncs, once no dump runs (the seed does this).',
  'mail.to': 'Recipients.',
  'mail.from': 'Sender address (qualified with the host name when it has no domain).',
  'mail.transport': '"sendmail": the local MTA, which queues and retries. "smtp": [mail.smtp].',
  'mail.sendmail_path': 'The sendmail program.',
  'mail.smtp.host': 'SMTP server.',
  'mail.smtp.port': 'SMTP port.',
  'mail.smtp.secure': 'Implicit TLS from the first byte (port 465).',
  'mail.smtp.require_tls':
    'STARTTLS, and refuse to send if the server does not offer it. A password needs this or secure.',
  'mail.smtp.user': 'SMTP user.',
  'mail.smtp.password': 'SMTP password; then keep this file 0600. Prefer password_file.',
  'mail.smtp.password_file':
    'A file (0600) whose first line is the SMTP password, read at each hand-over; with systemd credentials, /run/credentials/baysync.service/NAME.',
  'mail.retry_hours': 'Give up retrying a spooled mail after this many hours (it stays in the spool, logged).',
  'mail.timeout_seconds': 'A hand-over that takes longer counts as failed and is retried later.',
  'policy.auto_start': 'Start a rotation by itself when a complete set is plugged in.',
  'policy.rotation_days': 'Expected days between two rotations.',
  'policy.warn_after_days':
    'Days after which the newest copy is overdue (a reminder mail, `check` WARNING; twice this, CRITICAL).',
  'policy.verify_sample_files': 'Files compared between the live pool and the detached copy, chosen uniformly.',
  'policy.verify_block_share': "Percent of the copy's chunks compared block by block with the live half (100: all).",
  'policy.verify_min_proved_percent':
    'Below this percent of the copy proved block by block, the verification is INCONCLUSIVE.',
  'policy.verify_min_files': 'Below this many files compared, the verification is INCONCLUSIVE.',
  'policy.verify_fsck': "Check the copy's filesystem without modification (xfs_repair -n, e2fsck -fn).",
  'policy.allow_full_recovery': 'Allow a full recovery where a bitmap re-add was expected (false: abort instead).',
  'policy.spin_down': "Spin the set's drives down after the verification.",
  'policy.progress_log_minutes': "How often the sync's progress is logged.",
  'metrics.enabled': 'Write the textfile.',
  'metrics.textfile':
    'The file, written atomically and only when its directory exists (the prometheus-node-exporter package makes /var/lib/prometheus/node-exporter).',
  'paths.state_dir': 'State, history and the mail spool.',
  'paths.run_dir': 'The control socket and the locks.',
  'paths.sysfs': 'Where sysfs is read.',
  'paths.proc': 'Where procfs is read.',
  'paths.dev': 'Where device nodes are read for the read-only superblock walk.',
  'paths.udev_data': "udev's database directory, watched (inotify) to see a disk once udev has run its rules for it.",
  'paths.verify_dir': 'Where a detached copy is mounted read-only for the verification.',
  'paths.fstab': 'The filesystems that should be mounted (the sync refuses a tree whose filesystem is not).',
};
