// What a user writes with ews-javascript-api: watch many mailboxes, log each new mail's subject.
//
// usage: node peer_ews_js.mjs URL USER PASSWORD (MAILBOX... | @FILE) [--group 200] [--count-only]
//
// One service account (Basic, WebCredentials) impersonates every mailbox: one ExchangeService per mailbox
// (ImpersonatedUserId is per service), SubscribeToStreamingNotifications on its Inbox (10 in flight at a time),
// then one StreamingSubscriptionConnection per group of up to --group subscriptions (Exchange's limit is 200),
// reopened on OnDisconnect as the EWS Managed API documentation says. For each NewMail event, Item.Bind with
// IdOnly + Subject, then print `<epoch_ns> <mailbox> <subject>`. Prints `ready <connections>` once all are
// opened; errors print `error <text>`. --count-only (scale_bench.py --notifications): no Item.Bind, only count the
// NewMail events and print `notified <total>` every 100 ms when it changed (the library's cost per notification). Single-threaded (Node's event loop); scales by adding subscriptions to
// connections, not threads. The library comes from tests/peers/node_modules (scripts/install-deps.sh).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const peers = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'peers');
const ews = createRequire(join(peers, 'package.json'))('ews-javascript-api');

const args = process.argv.slice(2);
let group = 200;
const gi = args.indexOf('--group');
if (gi >= 0) { group = Number(args[gi + 1]); args.splice(gi, 2); }
const ci = args.indexOf('--count-only');
const countOnly = ci >= 0;
if (countOnly) args.splice(ci, 1);
if (args.length < 4) { console.error('usage: node peer_ews_js.mjs URL USER PASSWORD (MAILBOX... | @FILE) [--group 200]'); process.exit(2); }
const [url, user, password, ...rest] = args;
const boxes = rest.length === 1 && rest[0].startsWith('@')
    ? readFileSync(rest[0].slice(1), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean) : rest;

const out = (line) => process.stdout.write(line + '\n');
const describe = (e) => `${e?.constructor?.name ?? 'Error'}: ${e?.message || e?.faultString || e}`.replace(/\n/g, ' ');
process.on('unhandledRejection', (e) => out(`error unhandled ${describe(e)}`));  // G4: stream HTTP errors

function service(box) {
    const svc = new ews.ExchangeService(ews.ExchangeVersion.Exchange2013_SP1);
    svc.Url = new ews.Uri(url);
    svc.Credentials = new ews.WebCredentials(user, password);
    svc.ImpersonatedUserId = new ews.ImpersonatedUserId(ews.ConnectingIdType.SmtpAddress, box);
    return svc;
}

const subjectOnly = new ews.PropertySet(ews.BasePropertySet.IdOnly, [ews.ItemSchema.Subject]);
const bySub = new Map();  // subscription id -> { box, svc }

let notified = 0;
async function onNotification(args) {
    const owner = bySub.get(args.Subscription.Id);
    for (const e of args.Events) {
        if (e.EventType !== ews.EventType.NewMail) continue;
        if (countOnly) { ++notified; continue; }
        try {
            const item = await ews.Item.Bind(owner.svc, e.ItemId, subjectOnly);
            out(`${process.hrtime.bigint() - hr0 + ns0} ${owner.box} ${item.Subject}`);
        } catch (err) { out(`error bind ${owner.box}: ${describe(err)}`); }
    }
}
// Wall-clock nanoseconds without Date's millisecond granularity.
const ns0 = BigInt(Date.now()) * 1000000n;
const hr0 = process.hrtime.bigint();

async function subscribeAll() {
    const subs = [];
    let next = 0;
    async function worker() {
        while (next < boxes.length) {
            const box = boxes[next++];
            const svc = service(box);
            try {
                const sub = await svc.SubscribeToStreamingNotifications(
                    [new ews.FolderId(ews.WellKnownFolderName.Inbox)], ews.EventType.NewMail);
                bySub.set(sub.Id, { box, svc });
                subs.push({ sub, svc });
            } catch (e) { out(`error subscribe ${box}: ${describe(e)}`); }
        }
    }
    await Promise.all(Array.from({ length: 10 }, worker));
    return subs;
}

function openGroup(svc, subs) {
    const conn = new ews.StreamingSubscriptionConnection(svc, 30);
    for (const { sub } of subs) conn.AddSubscription(sub);
    conn.OnNotificationEvent.push((_, a) => { onNotification(a); });
    conn.OnSubscriptionError.push((_, a) => out(`error subscription ${describe(a.Exception)}`));
    conn.OnDisconnect.push((_, a) => {
        if (a.Exception) out(`error disconnect ${describe(a.Exception)}`);
        conn.Open().catch(() => {});  // Open() never resolves on success (G5); breaks surface via OnDisconnect
    });
    conn.Open().catch(() => {});
}

const subs = await subscribeAll();
let connections = 0;
for (let g = 0; g < subs.length; g += group, ++connections) openGroup(subs[g].svc, subs.slice(g, g + group));
out(`ready ${connections}`);
if (countOnly) {
    let reported = 0;
    setInterval(() => { if (notified !== reported) out(`notified ${reported = notified}`); }, 100);
}
