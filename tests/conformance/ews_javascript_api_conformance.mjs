// ews-javascript-api (npm, a port of Microsoft's EWS Managed API) against ews-sim, as a user script drives it.
//
// usage: node ews_javascript_api_conformance.mjs PATH/TO/ews-sim
//
// Starts ews-sim on 127.0.0.1:0 and runs the checks below with Basic credentials (WebCredentials) over plain
// http, no autodiscover. Each check prints one PASS/FAIL line; the exit status is non-zero if any failed.
// Every wait is bounded. The library comes from tests/peers/node_modules (scripts/install-deps.sh).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const peers = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers');
if (!existsSync(join(peers, 'node_modules', 'ews-javascript-api'))) {
    console.log(`FAIL setup: ews-javascript-api is not installed in ${peers}/node_modules; run scripts/install-deps.sh`);
    process.exit(1);
}
const ews = createRequire(join(peers, 'package.json'))('ews-javascript-api');

const USER = 'user0@example.com';
const PASSWORD = 'secret';
const WAIT_MS = 10000;      // any single expected event
const NOTIFY_MS = 5000;     // "a NewMail notification within a few seconds"

let failures = 0;
const pass = (name) => console.log(`PASS ${name}`);
const fail = (name, why) => { ++failures; console.log(`FAIL ${name}: ${why}`); };

// G4 in ews-javascript-api.md: an HTTP error on the stream is an unhandled rejection inside the library.
// A user script installs this handler; here it also must not hide a bug, so such rejections are counted.
const unhandled = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function check(name, fn) {
    try {
        await withTimeout(Promise.resolve().then(fn), WAIT_MS * 2, name);
        pass(name);
        return true;
    } catch (e) {
        fail(name, describe(e));
        return false;
    }
}

// ews-javascript-api rejects with SoapFaultDetails / ServiceResponseException objects whose message may be empty.
function describe(e) {
    if (!e) return String(e);
    const code = e.ErrorCode !== undefined ? ` ErrorCode=${ews.ServiceError[e.ErrorCode] ?? e.ErrorCode}` : '';
    return `${e.constructor?.name ?? 'Error'}: ${e.message || e.faultString || ''}${code}`;
}

function assert(cond, why) { if (!cond) throw new Error(why); }

// Values pushed by callbacks (notifications, disconnects), awaited with a deadline.
class Feed {
    constructor() { this.items = []; this.waiters = []; }
    push(x) {
        this.items.push(x);
        for (const w of [...this.waiters]) if (w.pred(x)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(x); }
    }
    next(pred, ms, what) {
        const seen = this.items.find(pred);
        if (seen) return Promise.resolve(seen);
        return withTimeout(new Promise((resolve) => this.waiters.push({ pred, resolve })), ms, what);
    }
}

function startSim(path) {
    // A 1 s keep-alive and a 3 s ConnectionTimeout "minute" make the stream send keep-alives and the Closed
    // frame (and the script reopen) within the run.
    const proc = spawn(path, ['--listen', '127.0.0.1:0', '--user', `${USER}:${PASSWORD}`,
                              '--keepalive-ms', '1000', '--minute-ms', '3000'],
                       { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = new Promise((resolve, reject) => {
        let buf = '';
        proc.stdout.on('data', (d) => {
            buf += d;
            const nl = buf.indexOf('\n');
            if (nl < 0) return;
            const line = buf.slice(0, nl);
            if (line.startsWith('listening on http://')) resolve(line.slice('listening on '.length).trim());
            else reject(new Error(`unexpected first line from ews-sim: ${line}`));
        });
        proc.on('exit', (code) => reject(new Error(`ews-sim exited early with ${code}`)));
        proc.on('error', reject);
    });
    return { proc, ready: withTimeout(ready, WAIT_MS, 'the ews-sim listening line') };
}

class Admin {
    constructor(base) { this.base = base; }
    async call(method, path, body) {
        const r = await fetch(this.base + path, {
            method, headers: { 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(WAIT_MS),
        });
        const text = await r.text();
        return { status: r.status, body: text ? JSON.parse(text) : null };
    }
    async deliver(subject, extra = {}) {
        const r = await this.call('POST', `/admin/mailboxes/${USER}/folders/inbox/messages`, {
            from: 'billing@supplier.example', to: [USER], subject, body: `body of ${subject}`, ...extra,
        });
        assert(r.status === 201, `delivery answered ${r.status}`);
        return r.body.item_id;
    }
    async list(folder) { return (await this.call('GET', `/admin/mailboxes/${USER}/folders/${folder}/messages`)).body; }
    async fault(f) {
        const r = await this.call('POST', '/admin/faults', f);
        assert(r.status === 201, `POST /admin/faults ${JSON.stringify(f)} answered ${r.status}`);
    }
    async waitStats(what, pred) {
        const deadline = Date.now() + WAIT_MS;
        for (;;) {
            const s = (await this.call('GET', '/admin/stats')).body;
            if (pred(s)) return s;
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
            await new Promise((r) => setTimeout(r, 50));  // the admin API has no push; poll with a deadline
        }
    }
}

function service(base, password) {
    const svc = new ews.ExchangeService(ews.ExchangeVersion.Exchange2013_SP1);
    svc.Url = new ews.Uri(`${base}/EWS/Exchange.asmx`);
    svc.Credentials = new ews.WebCredentials(USER, password);
    return svc;
}

// The streaming part of a user script: one connection, reopened whenever it ends (Closed after
// ConnectionTimeout, or a broken connection), as the EWS Managed API documentation tells users to do.
class Listener {
    constructor(svc) {
        this.svc = svc;
        this.newMail = new Feed();
        this.disconnects = new Feed();
        this.subscriptionErrors = new Feed();
        this.stopping = false;
        this.conn = new ews.StreamingSubscriptionConnection(svc, 1);  // 1 "minute" = 3 s in this sim
        this.conn.OnNotificationEvent.push((_, args) => {
            for (const e of args.Events) {
                if (e.EventType === ews.EventType.NewMail) this.newMail.push(e.ItemId.UniqueId);
            }
        });
        this.conn.OnSubscriptionError.push((_, args) => this.subscriptionErrors.push(args.Exception));
        this.conn.OnDisconnect.push((_, args) => {
            this.disconnects.push({ exception: args.Exception ?? null });
            if (!this.stopping) this.open();
        });
    }
    async subscribe() {
        this.sub = await this.svc.SubscribeToStreamingNotifications(
            [new ews.FolderId(ews.WellKnownFolderName.Inbox)], ews.EventType.NewMail);
        this.conn.AddSubscription(this.sub);
    }
    // Open() never resolves on success (G5) and rejects when the connection breaks, which OnDisconnect handles.
    open() { this.conn.Open().catch(() => {}); }
    close() {
        this.stopping = true;
        try { if (this.conn.IsOpen) this.conn.Close(); } catch { /* already closed */ }
    }
}

const inbox = () => new ews.FolderId(ews.WellKnownFolderName.Inbox);
const pdf = Buffer.from('%PDF-1.4\n% ews-sim conformance\n').toString('base64');

async function run(base) {
    const admin = new Admin(base);
    const svc = service(base, PASSWORD);
    const listener = new Listener(svc);
    const state = {};

    await check('streaming: SubscribeToStreamingNotifications + StreamingSubscriptionConnection.Open', async () => {
        await listener.subscribe();
        assert(listener.sub.Id, 'no subscription id');
        listener.open();
        await admin.waitStats('the stream to open', (s) => s.open_streaming_connections >= 1);
    });

    await check('streaming: NewMail notification for an admin delivery within 5 s', async () => {
        state.first = await admin.deliver('Invoice 1001', {
            attachments: [{ name: 'invoice.pdf', content_type: 'application/pdf', content_base64: pdf },
                          { name: 'terms.txt', content_type: 'text/plain', content_base64: Buffer.from('terms').toString('base64') }],
        });
        await listener.newMail.next((id) => id === state.first, NOTIFY_MS, 'NewMail for the first delivery');
    });

    await check('FindItems in Inbox returns the message with its subject', async () => {
        const found = await svc.FindItems(inbox(), new ews.ItemView(10));
        const items = found.Items;
        assert(items.length === 1, `${items.length} items`);
        assert(items[0].Id.UniqueId === state.first, `item id ${items[0].Id.UniqueId}, admin said ${state.first}`);
        assert(items[0].Subject === 'Invoice 1001', `subject ${items[0].Subject}`);
        assert(found.TotalCount === 1 && found.MoreAvailable === false, `TotalCount ${found.TotalCount} MoreAvailable ${found.MoreAvailable}`);
        // FirstClassProperties (the default shape) as a script would print them.
        const m = items[0];
        assert(m.IsRead === false && m.HasAttachments === true, `IsRead ${m.IsRead} HasAttachments ${m.HasAttachments}`);
        assert(m.From.Address === 'billing@supplier.example', `From ${m.From.Address}`);
        const age = Date.now() - m.DateTimeReceived.TotalMilliSeconds;
        assert(age >= -5000 && age < 60000, `DateTimeReceived ${m.DateTimeReceived} is ${age} ms from now`);
    });

    const props = new ews.PropertySet(ews.BasePropertySet.IdOnly, [ews.ItemSchema.Subject, ews.EmailMessageSchema.Sender,
                                                                     ews.ItemSchema.Body, ews.ItemSchema.Attachments]);
    props.RequestedBodyType = ews.BodyType.Text;
    const checkLoaded = (m) => {
        assert(m.Subject === 'Invoice 1001', `subject ${m.Subject}`);
        assert(m.Sender.Address === 'billing@supplier.example', `sender ${m.Sender.Address}`);
        assert(m.Body.Text === 'body of Invoice 1001', `body ${JSON.stringify(m.Body.Text)}`);
        const names = m.Attachments.Items.map((a) => a.Name);
        assert(JSON.stringify(names) === '["invoice.pdf","terms.txt"]', `attachment names ${JSON.stringify(names)}`);
    };
    await check('EmailMessage.Bind with a PropertySet (subject, sender, body, attachment names)', async () => {
        state.message = await ews.EmailMessage.Bind(svc, new ews.ItemId(state.first), props);
        checkLoaded(state.message);
    });

    await check('Item.Bind IdOnly, then Load(PropertySet)', async () => {
        const item = await ews.Item.Bind(svc, new ews.ItemId(state.first), ews.PropertySet.IdOnly);
        await item.Load(props);
        checkLoaded(item);
    });

    await check('pull subscription: SubscribeToPullNotifications + GetEvents sees NewMail', async () => {
        state.pull = await svc.SubscribeToPullNotifications([inbox()], 10, null, ews.EventType.NewMail);
        assert(state.pull.Watermark, 'no watermark in the Subscribe response');
        state.second = await admin.deliver('Invoice 1002');
        const evs = await state.pull.GetEvents();
        const mail = evs.ItemEvents.filter((e) => e.EventType === ews.EventType.NewMail).map((e) => e.ItemId.UniqueId);
        assert(JSON.stringify(mail) === JSON.stringify([state.second]), `NewMail events ${JSON.stringify(mail)}`);
        const again = await state.pull.GetEvents();  // the watermark moved on: nothing new
        assert(again.ItemEvents.length === 0, `second GetEvents repeated ${again.ItemEvents.length} item events`);
    });

    await check('SyncFolderItems paging (2 per page) until IncludesLastItemInRange', async () => {
        for (let i = 0; i < 3; ++i) await admin.deliver(`Statement ${i}`);
        const expected = (await admin.list('inbox')).map((m) => m.item_id).sort();
        let syncState = null;
        let pages = 0;
        const created = [];
        for (;;) {
            const changes = await svc.SyncFolderItems(inbox(), ews.PropertySet.IdOnly, null, 2,
                                                      ews.SyncFolderItemsScope.NormalItems, syncState);
            ++pages;
            assert(changes.Count <= 2, `page ${pages} has ${changes.Count} changes`);
            for (const c of changes.GetEnumerator()) {
                assert(c.ChangeType === ews.ChangeType.Create, `change type ${ews.ChangeType[c.ChangeType]}`);
                created.push(c.ItemId.UniqueId);
            }
            syncState = changes.SyncState;
            if (!changes.MoreChangesAvailable) break;
            assert(pages < 10, 'more than 10 pages for 5 messages');
        }
        assert(pages === 3, `${pages} pages for ${expected.length} messages`);
        assert(JSON.stringify(created.sort()) === JSON.stringify(expected), `created ${created.length} of ${expected.length}`);
        state.syncState = syncState;
    });

    await check('mark as read: IsRead = true + Update(AutoResolve), seen by the admin API', async () => {
        state.message.IsRead = true;
        await state.message.Update(ews.ConflictResolutionMode.AutoResolve);
        const m = (await admin.list('inbox')).find((x) => x.item_id === state.first);
        assert(m && m.is_read === true, `admin listing: ${JSON.stringify(m)}`);
    });

    await check('move to a folder: Folder.Bind(JunkEmail) + Item.Move(folder id)', async () => {
        const junk = await ews.Folder.Bind(svc, ews.WellKnownFolderName.JunkEmail);
        assert(junk.DisplayName === 'Junk Email', `folder name ${junk.DisplayName}`);
        const moved = await state.message.Move(junk.Id);
        assert(moved && moved.Id.UniqueId !== state.first, 'MoveItem returned no new item id');
        const inJunk = (await admin.list('junkemail')).map((x) => x.item_id);
        const inInbox = (await admin.list('inbox')).map((x) => x.item_id);
        assert(JSON.stringify(inJunk) === JSON.stringify([moved.Id.UniqueId]), `junk folder holds ${JSON.stringify(inJunk)}`);
        assert(!inInbox.includes(state.first), 'the message is still in the inbox');
    });

    await check('SyncFolderItems from the saved state reports ReadFlagChange and the move as Delete', async () => {
        const second = await ews.EmailMessage.Bind(svc, new ews.ItemId(state.second), ews.PropertySet.IdOnly);
        second.IsRead = true;
        await second.Update(ews.ConflictResolutionMode.AutoResolve);
        const changes = await svc.SyncFolderItems(inbox(), ews.PropertySet.IdOnly, null, 512,
                                                  ews.SyncFolderItemsScope.NormalItems, state.syncState);
        const seen = changes.GetEnumerator().map((c) => ({ kind: ews.ChangeType[c.ChangeType], id: c.ItemId.UniqueId, read: c.IsRead }));
        const text = JSON.stringify(seen);
        assert(seen.length === 2, `changes ${text}`);
        assert(seen.some((c) => c.kind === 'Delete' && c.id === state.first), `no Delete for the moved message: ${text}`);
        assert(seen.some((c) => c.kind === 'ReadFlagChange' && c.id === state.second && c.read === true),
               `no ReadFlagChange for the message marked read: ${text}`);
        assert(!changes.MoreChangesAvailable, 'MoreChangesAvailable after one small page');
    });

    await check('streaming: the Closed frame after ConnectionTimeout ends the connection cleanly; reopen works', async () => {
        await listener.disconnects.next((d) => d.exception === null, WAIT_MS, 'a clean disconnect (Closed)');
        const id = await admin.deliver('After Closed');
        await listener.newMail.next((x) => x === id, NOTIFY_MS, 'NewMail after reopening');
    });

    await check('streaming: a dropped connection surfaces as OnDisconnect with an error; reopen gets the next NewMail', async () => {
        const opened = (await admin.waitStats('an open stream', (s) => s.open_streaming_connections >= 1)).streams_opened;
        const before = listener.disconnects.items.length;
        await admin.fault({ kind: 'drop-streams', mailbox: USER });
        await listener.disconnects.next((d) => listener.disconnects.items.indexOf(d) >= before && d.exception !== null,
                                        WAIT_MS, 'OnDisconnect with an exception');
        await admin.waitStats('the reopened stream', (s) => s.streams_opened > opened && s.open_streaming_connections >= 1);
        const id = await admin.deliver('After drop');
        await listener.newMail.next((x) => x === id, NOTIFY_MS, 'NewMail after the dropped stream');
    });

    await check('streaming: a burst of 3 deliveries gives 3 NewMail notifications within 5 s', async () => {
        const ids = [];
        for (let i = 0; i < 3; ++i) ids.push(await admin.deliver(`Burst ${i}`));
        for (const id of ids) await listener.newMail.next((x) => x === id, NOTIFY_MS, `NewMail for burst item ${ids.indexOf(id)}`);
    });

    await check('error: a wrong password gives 401, reported as an authorisation error', async () => {
        const bad = service(base, 'not-the-password');
        let err = null;
        try { await bad.FindItems(inbox(), new ews.ItemView(1)); } catch (e) { err = e; }
        assert(err, 'FindItems with a wrong password succeeded');
        const unauthorised = err.Exception?.constructor?.name === 'ServiceRequestUnauthorizedException' ||
                             /401/.test(err.message ?? '');
        assert(unauthorised, `not reported as 401: ${describe(err)}`);
    });

    await check('ImpersonatedUserId + X-AnchorMailbox select another mailbox', async () => {
        const other = 'user1@example.com';
        const r = await admin.call('POST', `/admin/mailboxes/${other}/folders/inbox/messages`,
                                   { from: 'a@b.example', to: [other], subject: 'For user1' });
        assert(r.status === 201, `delivery answered ${r.status}`);
        const imp = service(base, PASSWORD);
        imp.ImpersonatedUserId = new ews.ImpersonatedUserId(ews.ConnectingIdType.SmtpAddress, other);
        imp.HttpHeaders.Add('X-AnchorMailbox', other);
        const subjects = (await imp.FindItems(inbox(), new ews.ItemView(10))).Items.map((i) => i.Subject);
        assert(JSON.stringify(subjects) === '["For user1"]', `user1's inbox shows ${JSON.stringify(subjects)}`);
    });

    await checkSending(admin, svc);

    await check('error: ErrorServerBusy with BackOffMilliseconds surfaces as a busy error', async () => {
        await admin.fault({ kind: 'server-busy', mailbox: USER, backoff_ms: 1234 });
        let err = null;
        try { await svc.FindItems(inbox(), new ews.ItemView(1)); } catch (e) { err = e; }
        assert(err, 'FindItems succeeded through an injected ErrorServerBusy');
        // A SOAP fault surfaces as SoapFaultDetails: ResponseCode from detail/e:ResponseCode, ErrorDetails from t:MessageXml.
        assert(err.ResponseCode === ews.ServiceError.ErrorServerBusy, `not ErrorServerBusy: ${describe(err)}`);
        const backoff = err.ErrorDetails.containsKey('BackOffMilliseconds') ? err.ErrorDetails.get('BackOffMilliseconds') : null;
        assert(backoff === '1234', `BackOffMilliseconds ${backoff}`);
    });

    await check('error: an expired pull subscription gives ErrorSubscriptionNotFound from GetEvents', async () => {
        await admin.fault({ kind: 'expire-subscriptions', mailbox: USER });
        let err = null;
        try { await state.pull.GetEvents(); } catch (e) { err = e; }
        assert(err, 'GetEvents on an expired subscription succeeded');
        assert(err.ErrorCode === ews.ServiceError.ErrorSubscriptionNotFound, `not ErrorSubscriptionNotFound: ${describe(err)}`);
    });

    await check('error: the expired streaming subscription reaches OnSubscriptionError as ErrorSubscriptionNotFound', async () => {
        const e = await listener.subscriptionErrors.next(() => true, WAIT_MS, 'OnSubscriptionError');
        assert(e && e.ErrorCode === ews.ServiceError.ErrorSubscriptionNotFound, `not ErrorSubscriptionNotFound: ${describe(e)}`);
    });

    listener.close();
    if (unhandled.length) fail('no unhandled rejections inside the client', unhandled.map(describe).join('; '));
}

// Sending through ews-sim (issue 7): the recipients' simulated mailboxes are read through the admin API.
async function checkSending(admin, svc) {
    const header = new ews.ExtendedPropertyDefinition(ews.DefaultExtendedPropertySet.InternetHeaders,
                                                      'X-Ewstrigd-Event', ews.MapiPropertyType.String);
    const inboxOf = async (address) =>
        (await admin.call('GET', `/admin/mailboxes/${address}/folders/inbox/messages`)).body ?? [];
    const sentItems = () => new ews.FolderId(ews.WellKnownFolderName.SentItems);
    const newMessage = (subject, event) => {
        const m = new ews.EmailMessage(svc);
        m.Subject = subject;
        m.Body = new ews.MessageBody(ews.BodyType.HTML, '<p>Your parcel is on its way.</p>');
        m.ToRecipients.Add('shipping@example.com');
        m.SetExtendedProperty(header, event);
        return m;
    };

    await check('send: EmailMessage.SendAndSaveCopy with an InternetHeaders property and an attachment arrives', async () => {
        const m = newMessage('Shipping notice', 'ev-js-1');
        m.Attachments.AddFileAttachment('label.txt', Buffer.from('label 8').toString('base64'));
        await m.SendAndSaveCopy();
        const got = await inboxOf('shipping@example.com');
        assert(got.length === 1 && got[0].subject === 'Shipping notice', `shipping's inbox: ${JSON.stringify(got)}`);
        assert(got[0].from === USER && got[0].body_type === 'HTML', `from ${got[0].from}, body ${got[0].body_type}`);
        assert(got[0].headers['X-Ewstrigd-Event'] === 'ev-js-1', `headers ${JSON.stringify(got[0].headers)}`);
        assert(JSON.stringify(got[0].attachments) === '["label.txt"]', `attachments ${got[0].attachments}`);
    });

    await check('send: FindItems(SentItems, SearchFilter.IsEqualTo(InternetHeaders property)) finds the copy', async () => {
        const view = new ews.ItemView(10);
        view.PropertySet = new ews.PropertySet(ews.BasePropertySet.IdOnly, [ews.ItemSchema.Subject, header]);
        const find = async (value) =>
            (await svc.FindItems(sentItems(), new ews.SearchFilter.IsEqualTo(header, value), view)).Items;
        const hits = await find('ev-js-1');
        assert(hits.length === 1 && hits[0].Subject === 'Shipping notice', `${hits.length} hit(s)`);
        const value = { outValue: null };
        assert(hits[0].TryGetExtendedProperty(header, value) && value.outValue === 'ev-js-1',
               `the hit's X-Ewstrigd-Event is ${value.outValue}`);
        assert((await find('ev-js-none')).length === 0, 'an unknown event id matched');
    });

    await check('reply: EmailMessage.Reply(prefix, false) reaches the original sender with RE: and the quote', async () => {
        const r = await admin.call('POST', `/admin/mailboxes/${USER}/folders/inbox/messages`, {
            from: 'Customer <customer@example.com>', to: [USER], subject: 'Order 8', body: 'Please ship order 8.',
        });
        assert(r.status === 201, `delivery answered ${r.status}`);
        const original = await ews.EmailMessage.Bind(svc, new ews.ItemId(r.body.item_id));
        await original.Reply(new ews.MessageBody(ews.BodyType.Text, 'Shipped.'), false);
        const got = await inboxOf('customer@example.com');
        assert(got.length === 1 && got[0].subject === 'RE: Order 8', `customer's inbox: ${JSON.stringify(got)}`);
        assert(got[0].body.startsWith('Shipped.') && got[0].body.includes('Please ship order 8.'), `body ${got[0].body}`);
        assert(got[0].headers['In-Reply-To'], `no In-Reply-To: ${JSON.stringify(got[0].headers)}`);
    });

    await check('send: a CreateItem-only ErrorServerBusy fails one SendAndSaveCopy; the retry sends once', async () => {
        await admin.fault({ kind: 'server-busy', operation: 'CreateItem', backoff_ms: 10 });
        let err = null;
        try { await newMessage('Retried notice', 'ev-js-2').SendAndSaveCopy(); } catch (e) { err = e; }
        assert(err && err.ResponseCode === ews.ServiceError.ErrorServerBusy, `not ErrorServerBusy: ${describe(err)}`);
        await newMessage('Retried notice', 'ev-js-2').SendAndSaveCopy();
        const got = (await inboxOf('shipping@example.com')).filter((m) => m.subject === 'Retried notice');
        assert(got.length === 1, `${got.length} copies arrived`);
    });
}

async function main() {
    if (process.argv.length !== 3) {
        console.log('usage: node ews_javascript_api_conformance.mjs PATH/TO/ews-sim');
        process.exit(64);
    }
    const { proc, ready } = startSim(process.argv[2]);
    const exited = new Promise((resolve) => {
        proc.on('exit', (code, signal) => resolve({ code, signal, started: true }));
        proc.on('error', () => resolve({ started: false }));  // could not be spawned: already reported
    });
    process.on('exit', () => proc.kill('SIGKILL'));  // never leave the simulator behind
    try {
        await run(await ready);
    } catch (e) {
        fail('setup', describe(e));
    }
    proc.kill('SIGTERM');
    try {
        const { code, signal, started } = await withTimeout(exited, WAIT_MS, 'ews-sim to stop on SIGTERM');
        // A non-zero status is e.g. a sanitizer report in an asan build.
        if (started && code !== 0) fail('ews-sim exits cleanly', `exit code ${code} signal ${signal}`);
    } catch (e) {
        fail('ews-sim exits cleanly', describe(e));
    }
    console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
    process.exit(failures ? 1 : 0);
}

main();
