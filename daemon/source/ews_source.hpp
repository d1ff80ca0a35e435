#pragma once
// mail_source over EWS (DESIGN.md "Data flow" step 3; docs/ews-source.md
// lists what is sent when and what each error leads to).
//
// - Doorbell: streaming = Subscribe (NewMail, Created, Modified, Moved on the
//   folders) once, then one GetStreamingEvents connection per listen; pull =
//   Subscribe once, then one GetEvents round per listen after the poll
//   interval; poll = one ring of every folder per poll interval.
// - Truth: SyncFolderItems (IdOnly, 512 changes a page). Items: GetItem with
//   only the properties the triggers need, 50 ids a request.
// - Folders named in the config are resolved to FolderIds at first use
//   (GetFolder for distinguished ids, FindFolder below them for paths;
//   CreateFolder for move targets with `create`) and cached.
// - Every request gets its Authorization from the credential_provider; a
//   401 invalidates and retries once. Outcomes come from ews::classify.
//
// Loop affinity: construct, call and destroy on the thread running `ex`
// (the http::client's loop). `client` and `credentials` outlive the source;
// the source outlives its operations (cancel them and let them complete
// before destroying it). Operations may run concurrently, but one listen at
// a time (the doorbell keeps its folders and ring handler between frames).

#include "auth/credentials.hpp"
#include "config/model.hpp"
#include "ews/requests.hpp"
#include "http/client.hpp"
#include "source/exchange.hpp"
#include "source/mail_source.hpp"
#include "source/stream_hub.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <forward_list>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace ewstrigd::source {


struct ews_source_options {
    // GetStreamingEvents ConnectionTimeout; the server allows 1..30 minutes.
    // One minute short of the maximum, so we end connections, not Exchange.
    std::chrono::minutes connection_timeout{29};
    // A stream receiving nothing for this long is dead (the mailbox's
    // watch.stream_idle_timeout). Exchange sends a keep-alive about every
    // 45 s; curl's rate averaging adds up to ~5 s (http::timeouts), so stay
    // well above.
    std::chrono::seconds stream_idle{120};
    std::chrono::milliseconds request_timeout{std::chrono::minutes{2}};  // any other request, total
    std::size_t fetch_batch = 50;  // ids per GetItem
    // Pull subscriptions die after this many idle minutes without GetEvents;
    // raised to cover the poll interval.
    int pull_timeout_minutes = 30;
    // Streaming subscriptions of app-only (impersonation) mailboxes share the
    // hub's grouped connections when set (stream_hub.hpp); other mailboxes,
    // and servers that hand out no affinity cookie, keep their own stream.
    stream_hub* hub = nullptr;
    // GetStreamingEvents goes through this client when set, other requests
    // through the one given to the constructor. Why: for every new request
    // libcurl searches its multi's open connections for a reusable one, so
    // thousands of open streams in the same multi made each SyncFolderItems
    // and GetItem pay for them (a quarter of the CPU per mail at 1,000
    // mailboxes with a stream each; bench/README.md).
    http::client* stream_http = nullptr;

    bool operator==(const ews_source_options&) const = default;
};

class ews_source final : public mail_source, private stream_listener {
public:
    // `context` carries the server version (and grouping settings); the
    // mailbox's auth kind adds impersonation and X-AnchorMailbox to it:
    // oauth-app (with impersonation) impersonates `address`, oauth-delegated
    // anchors on it; basic/ntlm (on-premises) send neither.
    ews_source(boost::asio::any_io_executor ex, const config::mailbox_config& mailbox, http::client& client,
               auth::credential_provider& credentials, ews::request_context context = {},
               ews_source_options options = {});

    // The subscription id the doorbell holds, if any (for health output and tests).
    const std::optional<std::string>& subscription_id() const { return subscription_id_; }

private:
    template <class T>
    using task = boost::asio::awaitable<T>;
    template <class Signature>
    using completion = boost::asio::any_completion_handler<Signature>;
    using folder_result = std::pair<outcome, std::string>;  // the FolderId/@Id on proceed
    // On proceed, the FolderId/@Id as cached in folder_ids_, whose entries
    // are never erased: callers keep a pointer, not a copy.
    using cached_folder = std::pair<outcome, const std::string*>;

    void listen_impl(std::vector<std::string> folders, ring_handler on_ring, completion<listen_signature> h) override;
    void sync_impl(std::string folder, std::optional<std::string> sync_state, completion<sync_signature> h) override;
    void fetch_impl(std::vector<std::string> ids, message_fields fields, std::string folder,
                    completion<fetch_signature> h) override;
    void fetch_mime_impl(std::string id, completion<mime_signature> h) override;
    void fetch_original_impl(std::string id, completion<original_signature> h) override;  // a mail-out operation
    void mark_read_impl(std::string id, bool read, completion<done_signature> h) override;
    void move_impl(std::string id, std::string folder_path, bool create, completion<done_signature> h) override;

    template <class Signature, class... Results>
    void launch(const char* what, task<std::tuple<outcome, Results...>> op, completion<Signature> h);

    task<std::tuple<outcome>> listen_op(std::vector<std::string> folders);  // poll and pull
    task<std::tuple<outcome>> prepare_op(std::vector<std::string> folders);
    task<std::tuple<outcome, folder_changes>> sync_op(std::string folder, std::optional<std::string> sync_state);
    task<std::tuple<outcome, std::vector<match::message>>> fetch_op(std::vector<std::string> ids,
                                                                     message_fields fields, std::string folder);
    task<std::tuple<outcome, std::string>> fetch_mime_op(std::string id);  // fetch_original_op, decoded
    task<std::tuple<outcome, util::base64_text>> fetch_original_op(std::string id);
    task<std::tuple<outcome>> mark_read_op(std::string id, bool read);
    task<std::tuple<outcome>> move_op(std::string id, std::string folder_path, bool create);

    // Doorbell parts. `watched` pairs each config name with its FolderId in
    // folder_ids_ (one copy of each id, issue 8).
    using watched_folders = std::vector<std::pair<std::string, const std::string*>>;
    task<outcome> prepare_listen(std::vector<std::string> folders);
    task<outcome> subscribe(const watched_folders& watched, bool pull);
    void join_hub(completion<listen_signature> h);
    // stream_listener: of the hub while joined, of the own stream (own_stream.hpp) otherwise.
    void on_news(const doorbell_news& news) override;
    void on_end(const outcome& o) override;
    void forget_subscription();
    task<outcome> pull_events();
    task<outcome> wait(std::chrono::milliseconds d);

    // Folder resolution (cached by lower-case path).
    struct root_lookup;
    task<cached_folder> resolve(std::string name, bool create);
    task<folder_result> distinguished_folder_id(std::string id);
    task<folder_result> find_child(std::string parent_id, std::string name);
    task<folder_result> create_child(std::string parent_id, std::string name);
    const std::string* cached_id(std::string_view key) const;           // null when not cached
    const std::string& cache_id(const std::string& key, std::string id);  // the cached copy

    // ---- mail out (implemented in ews_outgoing.cpp) ------------------------
    void send_mail_impl(outgoing_mail mail, completion<done_signature> h) override;
    void find_sent_impl(std::string header, std::string value, completion<found_signature> h) override;
    task<std::tuple<outcome>> send_mail_op(outgoing_mail mail);
    task<std::tuple<outcome, bool>> find_sent_op(std::string header, std::string value);
    void list_attachments_impl(std::string id, completion<listed_signature> h) override;
    void fetch_attachments_impl(std::vector<std::string> attachment_ids, completion<attachments_signature> h) override;
    task<std::tuple<outcome, std::vector<listed_attachment>>> list_attachments_op(std::string id);
    task<std::tuple<outcome, std::vector<attachment_file>>> fetch_attachments_op(std::vector<std::string> attachment_ids);
    // ---- end of mail out ----------------------------------------------------

    // The loop and the options, the same for every source of a daemon but
    // stream_idle (kept apart): one shared copy (source/interned.hpp).
    struct common {
        boost::asio::any_io_executor ex;
        ews_source_options options;  // stream_idle unused

        bool operator==(const common&) const = default;
        // A daemon has one or two (grouped or not): equality tells them apart.
        friend std::size_t hash_value(const common& c) { return std::hash<const void*>{}(c.options.hub); }
    };
    std::shared_ptr<const common> common_;
    config::watch_mode mode_;  // of the mailbox's watch settings only these: no copy of its folder list
    std::chrono::seconds poll_interval_;
    std::chrono::seconds stream_idle_;  // options.stream_idle
    channel channel_;
    const std::string* pool_ = nullptr;  // stream_pool_of(mailbox) when grouped, kept by the hub
    // Lower-case path -> FolderId/@Id; never erased, nodes stay put. A list:
    // a mailbox resolves a few folders, and an idle one keeps a list head
    // instead of a map's (issue 8).
    std::forward_list<std::pair<std::string, std::string>> folder_ids_;
    std::shared_ptr<boost::asio::steady_timer> root_lookup_;  // while a GetFolder is in flight (root_lookup)
    std::optional<std::string> subscription_id_;
    watched_folders watched_;  // the folders the subscription covers (one listen at a time)
    ring_handler on_ring_;     // the listen's
    std::string watermark_;    // pull: where the next GetEvents starts
};

}  // namespace ewstrigd::source
