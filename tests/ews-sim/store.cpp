#include "store.hpp"

#include "base64.hpp"
#include "ascii.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace ewstrigd::sim {
namespace {

// Bounded so a long-running simulator does not grow without limit; a pull
// resume from an older watermark gets ErrorInvalidWatermark, as from a real
// server whose event table has moved on.
constexpr std::size_t max_log_events = 10000;


struct standard_folder {
    std::string_view distinguished;
    std::string_view display_name;
    std::string_view parent;  // distinguished id of the parent
    std::string_view folder_class;
};

// The well-known folders a fresh Exchange mailbox has (a subset).
constexpr std::array<standard_folder, 8> standard_folders{{
    {"root", "", "", ""},
    {"msgfolderroot", "Top of Information Store", "root", "IPF.Note"},
    {"inbox", "Inbox", "msgfolderroot", "IPF.Note"},
    {"drafts", "Drafts", "msgfolderroot", "IPF.Note"},
    {"sentitems", "Sent Items", "msgfolderroot", "IPF.Note"},
    {"deleteditems", "Deleted Items", "msgfolderroot", "IPF.Note"},
    {"junkemail", "Junk Email", "msgfolderroot", "IPF.Note"},
    {"outbox", "Outbox", "msgfolderroot", "IPF.Note"},
}};

std::optional<std::uint64_t> to_number(std::string_view s) {
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// Opaque tokens are base64("<kind>:<field>:<field>..."); the last field is a number.
std::string make_token(std::string_view kind, std::string_view scope, std::uint64_t n) {
    return base64_encode(std::string(kind) + ":" + std::string(scope) + ":" + std::to_string(n));
}

std::optional<std::pair<std::string, std::uint64_t>> read_token(std::string_view kind, std::string_view token) {
    const auto text = base64_decode(token);
    if (!text || !text->starts_with(kind) || text->size() <= kind.size() || (*text)[kind.size()] != ':') {
        return std::nullopt;
    }
    const auto rest = std::string_view(*text).substr(kind.size() + 1);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto n = to_number(rest.substr(colon + 1));
    if (!n) return std::nullopt;
    return std::pair{std::string(rest.substr(0, colon)), *n};
}

std::uint64_t watermark_number(std::string_view watermark) {
    const auto t = read_token("wm", watermark);
    return t ? t->second : 0;
}

bool wants(const subscription& s, const event& e) {
    if (!s.event_types.empty() &&
        std::find(s.event_types.begin(), s.event_types.end(), to_string(e.kind)) == s.event_types.end()) {
        return false;
    }
    if (s.all_folders) return true;
    const auto watched = [&](const std::string& id) {
        return !id.empty() && std::find(s.folder_ids.begin(), s.folder_ids.end(), id) != s.folder_ids.end();
    };
    // Item events belong to their parent folder; a folder event to the folder itself.
    return watched(e.item_id.empty() ? e.folder_id : e.parent_folder_id) || watched(e.old_parent_folder_id);
}

// An event about `item` in its current folder.
event item_event(event_kind kind, const stored_item& item, time_point now) {
    event e;
    e.kind = kind;
    e.timestamp = now;
    e.item_id = item.id;
    e.item_change_key = item.change_key();
    e.parent_folder_id = item.folder_id;
    return e;
}

// The ModifiedEvent of a folder whose contents or unread count changed.
event folder_modified(const mailbox& mb, const std::string& folder_id, time_point now) {
    event e;
    e.kind = event_kind::modified;
    e.timestamp = now;
    e.folder_id = folder_id;
    if (const auto* f = mb.find_folder(folder_id)) e.parent_folder_id = f->parent_id;
    e.unread_count = mb.unread_count(folder_id);
    return e;
}

}  // namespace

std::string stored_item::change_key() const { return base64_encode("ck:" + std::to_string(change_number)); }

std::string_view to_string(event_kind k) {
    switch (k) {
    case event_kind::new_mail: return "NewMailEvent";
    case event_kind::created: return "CreatedEvent";
    case event_kind::modified: return "ModifiedEvent";
    case event_kind::moved: return "MovedEvent";
    case event_kind::deleted: return "DeletedEvent";
    case event_kind::status: return "StatusEvent";
    }
    return "StatusEvent";
}

const folder* mailbox::find_folder(std::string_view folder_id) const {
    for (const auto& f : folders) {
        if (f.id == folder_id) return &f;
    }
    return nullptr;
}

const folder* mailbox::find_folder_by_name(std::string_view name) const {
    const auto wanted = ascii_lower(name);
    for (const auto& f : folders) {
        if (f.distinguished == wanted || (!f.display_name.empty() && ascii_lower(f.display_name) == wanted)) return &f;
    }
    return nullptr;
}

std::uint64_t mailbox::unread_count(std::string_view folder_id) const {
    std::uint64_t n = 0;
    for (const auto& [id, item] : items) {
        if (item.folder_id == folder_id && !item.is_read) ++n;
    }
    return n;
}

std::string store::mint(std::string_view kind, std::string_view scope) { return make_token(kind, scope, next_id_++); }

mailbox& store::open_mailbox(std::string_view address) {
    const auto key = ascii_lower(address);
    if (auto it = mailboxes_.find(key); it != mailboxes_.end()) return it->second;
    mailbox mb;
    mb.address = key;
    for (const auto& sf : standard_folders) {
        folder f;
        f.id = make_token("folder", key + "/" + std::string(sf.distinguished), 0);
        f.distinguished = sf.distinguished;
        f.display_name = sf.display_name;
        f.folder_class = sf.folder_class;
        if (!sf.parent.empty()) f.parent_id = mb.find_folder_by_name(sf.parent)->id;
        mb.folders.push_back(std::move(f));
    }
    return mailboxes_.emplace(key, std::move(mb)).first->second;
}

mailbox* store::find_mailbox(std::string_view address) {
    auto it = mailboxes_.find(ascii_lower(address));
    return it == mailboxes_.end() ? nullptr : &it->second;
}

const folder& store::open_folder(mailbox& mb, std::string_view name) {
    if (const auto* f = mb.find_folder_by_name(name)) return *f;
    folder f;
    f.id = mint("folder", mb.address);
    f.display_name = name;
    f.parent_id = mb.find_folder_by_name("msgfolderroot")->id;
    f.folder_class = "IPF.Note";
    mb.folders.push_back(std::move(f));
    return mb.folders.back();
}

store_result<const folder*> store::create_folder(mailbox& mb, std::string_view parent_id,
                                                 std::string_view display_name) {
    if (!mb.find_folder(parent_id))
        return store_error{"ErrorParentFolderNotFound", "The parent folder could not be found."};
    for (const auto& f : mb.folders) {
        if (f.parent_id == parent_id && ascii_lower(f.display_name) == ascii_lower(display_name))
            return store_error{"ErrorFolderExists", "A folder with the specified name already exists."};
    }
    folder f;
    f.id = mint("folder", mb.address);
    f.display_name = display_name;
    f.parent_id = parent_id;
    f.folder_class = "IPF.Note";
    mb.folders.push_back(std::move(f));
    return &mb.folders.back();
}

std::size_t store::emit(mailbox& mb, event e) {
    e.watermark = make_token("wm", mb.address, ++mb.event_number);
    std::size_t reached = 0;
    for (auto& [id, s] : subscriptions_) {
        if (s.mailbox == mb.address && wants(s, e)) {
            s.pending.push_back(e);
            changed_subscriptions_.push_back(id);
            ++reached;
        }
    }
    mb.log.push_back(std::move(e));
    if (mb.log.size() > max_log_events) mb.log.pop_front();
    return reached;
}

const stored_item& store::deliver(mailbox& mb, std::string_view folder_id, message m, time_point now, arrival how) {
    stored_item item;
    item.id = mint("item", mb.address);
    item.folder_id = folder_id;
    if (m.internet_message_id.empty()) {
        m.internet_message_id = "<" + std::to_string(next_id_++) + ".ews-sim@" +
                                mb.address.substr(mb.address.find('@') + 1) + ">";
    }
    for (auto& a : m.attachments) a.id = mint("att", mb.address);
    item.msg = std::move(m);
    item.received = now;
    item.is_read = how == arrival::own_copy;
    item.created_seq = item.content_seq = item.changed_seq = ++mb.seq;
    const auto& stored = mb.items.emplace(item.id, std::move(item)).first->second;

    emit(mb, item_event(event_kind::created, stored, now));
    if (how == arrival::received) emit(mb, item_event(event_kind::new_mail, stored, now));
    emit(mb, folder_modified(mb, stored.folder_id, now));
    return stored;
}

const stored_item* store::find_item(const mailbox& mb, std::string_view item_id) const {
    auto it = mb.items.find(item_id);
    return it == mb.items.end() ? nullptr : &it->second;
}

const stored_item* store::newest_item(const mailbox& mb, std::string_view folder_id) const {
    const stored_item* newest = nullptr;
    for (const auto& [id, item] : mb.items) {
        if (item.folder_id == folder_id && (!newest || item.created_seq > newest->created_seq)) newest = &item;
    }
    return newest;
}

std::size_t store::notify_new_mail(mailbox& mb, const stored_item& item, unsigned count, time_point now) {
    std::size_t reached = 0;
    for (unsigned i = 0; i < count; ++i) reached = emit(mb, item_event(event_kind::new_mail, item, now));
    return reached;
}

store_result<const stored_item*> store::set_read(mailbox& mb, std::string_view item_id, bool is_read,
                                                 time_point now) {
    auto it = mb.items.find(item_id);
    if (it == mb.items.end()) return store_error{"ErrorItemNotFound", "The specified object was not found in the store."};
    auto& item = it->second;
    if (item.is_read == is_read) return &item;
    item.is_read = is_read;
    ++item.change_number;
    item.changed_seq = ++mb.seq;

    emit(mb, item_event(event_kind::modified, item, now));
    emit(mb, folder_modified(mb, item.folder_id, now));
    return &item;
}

store_result<const stored_item*> store::add_attachments(mailbox& mb, std::string_view item_id,
                                                        std::vector<attachment> more, time_point now) {
    auto it = mb.items.find(item_id);
    if (it == mb.items.end()) return store_error{"ErrorItemNotFound", "The specified object was not found in the store."};
    auto& item = it->second;
    for (auto& a : more) {
        a.id = mint("att", mb.address);
        item.msg.attachments.push_back(std::move(a));
    }
    ++item.change_number;
    item.content_seq = item.changed_seq = ++mb.seq;
    emit(mb, item_event(event_kind::modified, item, now));
    return &item;
}

store_result<const stored_item*> store::set_header(mailbox& mb, std::string_view item_id, std::string_view name,
                                                   std::optional<std::string> value, time_point now) {
    auto it = mb.items.find(item_id);
    if (it == mb.items.end()) return store_error{"ErrorItemNotFound", "The specified object was not found in the store."};
    auto& item = it->second;
    const auto wanted = ascii_lower(name);
    std::erase_if(item.msg.headers, [&](const auto& h) { return ascii_lower(h.first) == wanted; });
    if (value) item.msg.headers.emplace_back(std::string(name), std::move(*value));
    ++item.change_number;
    item.content_seq = item.changed_seq = ++mb.seq;
    emit(mb, item_event(event_kind::modified, item, now));
    return &item;
}

store_result<message> store::remove(mailbox& mb, std::string_view item_id, time_point now) {
    auto it = mb.items.find(item_id);
    if (it == mb.items.end()) return store_error{"ErrorItemNotFound", "The specified object was not found in the store."};
    auto node = mb.items.extract(it);
    auto& item = node.mapped();
    for (auto& f : mb.folders) {
        if (f.id == item.folder_id) f.removed.emplace_back(++mb.seq, item.id);
    }
    emit(mb, item_event(event_kind::deleted, item, now));
    emit(mb, folder_modified(mb, item.folder_id, now));
    return std::move(item.msg);
}

store_result<const stored_item*> store::move(mailbox& mb, std::string_view item_id, std::string_view to_folder_id,
                                             time_point now) {
    auto it = mb.items.find(item_id);
    if (it == mb.items.end()) return store_error{"ErrorItemNotFound", "The specified object was not found in the store."};
    if (!mb.find_folder(to_folder_id)) {
        return store_error{"ErrorFolderNotFound", "The specified folder could not be found in the store."};
    }
    auto node = mb.items.extract(it);
    auto item = std::move(node.mapped());
    const auto old_id = item.id;
    const auto old_folder = item.folder_id;
    const auto seq = ++mb.seq;
    for (auto& f : mb.folders) {
        if (f.id == old_folder) f.removed.emplace_back(seq, old_id);
    }
    item.id = mint("item", mb.address);
    item.folder_id = to_folder_id;
    ++item.change_number;
    item.created_seq = item.content_seq = item.changed_seq = seq;
    const auto& moved = mb.items.emplace(item.id, std::move(item)).first->second;

    auto e = item_event(event_kind::moved, moved, now);
    e.old_item_id = old_id;
    e.old_parent_folder_id = old_folder;
    emit(mb, e);
    return &moved;
}

store_result<subscription*> store::subscribe(mailbox& mb, subscribe_request req, time_point now) {
    if (subscription_limit_ != 0) {
        const auto live = std::count_if(subscriptions_.begin(), subscriptions_.end(),
                                        [&](const auto& entry) { return entry.second.mailbox == mb.address; });
        if (static_cast<std::size_t>(live) >= subscription_limit_) {
            // The code and the parameter named by Microsoft's "Handling notification-related errors in EWS".
            return store_error{"ErrorExceededSubscriptionCount",
                               "You have exceeded the maximum number of subscriptions (EWSMaxSubscriptions)."};
        }
    }
    subscription s;
    s.id = mint("sub", mb.address);
    s.mailbox = mb.address;
    s.kind = req.kind;
    s.all_folders = req.all_folders;
    s.folder_ids = std::move(req.folder_ids);
    s.event_types = std::move(req.event_types);
    s.timeout = req.timeout;
    s.last_used = now;
    s.last_watermark = current_watermark(mb);
    if (req.watermark) {
        const auto t = read_token("wm", *req.watermark);
        const auto oldest = mb.log.empty() ? mb.event_number : watermark_number(mb.log.front().watermark) - 1;
        if (!t || t->first != mb.address || t->second > mb.event_number || t->second < oldest) {
            return store_error{"ErrorInvalidWatermark", "The watermark used for creating this subscription was not found."};
        }
        s.last_watermark = *req.watermark;
        for (const auto& e : mb.log) {
            if (watermark_number(e.watermark) > t->second && wants(s, e)) s.pending.push_back(e);
        }
    }
    return &subscriptions_.emplace(s.id, std::move(s)).first->second;
}

subscription* store::find_subscription(std::string_view id, time_point now) {
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return nullptr;
    auto& s = it->second;
    if (s.kind == subscription_kind::pull && now - s.last_used > s.timeout) {
        subscriptions_.erase(it);
        return nullptr;
    }
    return &s;
}

bool store::unsubscribe(std::string_view id) {
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return false;
    changed_subscriptions_.push_back(it->first);
    subscriptions_.erase(it);
    return true;
}

std::size_t store::expire_subscriptions(std::optional<std::string_view> address) {
    const auto wanted = address ? ascii_lower(*address) : std::string{};
    return std::erase_if(subscriptions_, [&](const auto& kv) {
        const bool expired = !address || kv.second.mailbox == wanted;
        if (expired) changed_subscriptions_.push_back(kv.first);
        return expired;
    });
}

std::vector<event> store::take_events(subscription& s, std::size_t max) {
    std::vector<event> out;
    while (!s.pending.empty() && out.size() < max) {
        out.push_back(std::move(s.pending.front()));
        s.pending.pop_front();
    }
    return out;
}

std::string store::current_watermark(const mailbox& mb) const { return make_token("wm", mb.address, mb.event_number); }

store_result<sync_page> store::sync_items(const mailbox& mb, std::string_view folder_id, std::string_view sync_state,
                                          std::size_t max_changes) const {
    const auto* f = mb.find_folder(folder_id);
    if (!f) return store_error{"ErrorFolderNotFound", "The specified folder could not be found in the store."};
    std::uint64_t since = 0;
    const auto scope = std::to_string(mb.sync_epoch) + "/" + f->id;
    if (!sync_state.empty()) {
        const auto t = read_token("sync", sync_state);
        if (!t || t->first != scope || t->second > mb.seq) {
            return store_error{"ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid."};
        }
        since = t->second;
    }
    // (sequence, change) for everything newer than the state, oldest first.
    std::vector<std::pair<std::uint64_t, sync_change>> all;
    for (const auto& [id, item] : mb.items) {
        if (item.folder_id != folder_id || item.changed_seq <= since) continue;
        sync_change c;
        c.item_id = item.id;
        c.item = &item;
        c.kind = item.created_seq > since   ? change_kind::create
                 : item.content_seq > since ? change_kind::update
                                            : change_kind::read_flag_change;
        all.emplace_back(item.changed_seq, c);
    }
    for (const auto& [seq, id] : f->removed) {
        if (seq > since) all.emplace_back(seq, sync_change{change_kind::remove, id, nullptr});
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

    sync_page page;
    const auto n = std::min(all.size(), std::max<std::size_t>(max_changes, 1));
    for (std::size_t i = 0; i < n; ++i) page.changes.push_back(all[i].second);
    page.includes_last_item_in_range = n == all.size();
    const auto upto = page.includes_last_item_in_range ? mb.seq : all[n - 1].first;
    page.sync_state = make_token("sync", scope, std::max(upto, since));
    return page;
}

void store::allow_send_as(std::string_view address) { send_as_.push_back(ascii_lower(address)); }

bool store::may_send_as(const mailbox& mb, std::string_view address) const {
    const auto wanted = ascii_lower(address);
    return wanted == mb.address || std::find(send_as_.begin(), send_as_.end(), wanted) != send_as_.end();
}

void store::invalidate_sync_states(std::optional<std::string_view> address) {
    for (auto& [key, mb] : mailboxes_) {
        if (!address || key == ascii_lower(*address)) ++mb.sync_epoch;
    }
}

}  // namespace ewstrigd::sim
