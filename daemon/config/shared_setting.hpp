#pragma once
// A block of mailbox settings that mailboxes with equal values share: the
// 10,000 mailboxes of one application keep one auth block, one TLS block
// and one watch block between them, not one each (~0.8 KB per mailbox;
// issue 8). Read through -> and *; written through edit(), which first
// makes the block this mailbox's own if it is shared (copy on write).
// Loading shares equal blocks (share_equal_settings, loader.cpp); equality
// compares values, so a reload still sees exactly what changed.

#include <memory>
#include <utility>

namespace ewstrigd::config {

template <class T>
class shared_setting {
public:
    shared_setting() : block_(std::make_shared<T>()) {}
    shared_setting(T value) : block_(std::make_shared<T>(std::move(value))) {}  // NOLINT: implicit, as T itself

    const T& operator*() const noexcept { return *block_; }
    const T* operator->() const noexcept { return block_.get(); }

    /// This mailbox's own block, to change.
    T& edit() {
        if (block_.use_count() > 1) block_ = std::make_shared<T>(*block_);
        return *block_;
    }

    /// Whether this and `other` are one block (not only equal values).
    bool same_block(const shared_setting& other) const noexcept { return block_ == other.block_; }
    /// Use `other`'s block, whose value must be equal to this one's.
    void share(const shared_setting& other) noexcept { block_ = other.block_; }
    /// A fresh block with this value: loading packs the blocks it keeps.
    void repack() { block_ = std::make_shared<T>(*block_); }

    bool operator==(const shared_setting& other) const { return same_block(other) || *block_ == *other.block_; }

private:
    std::shared_ptr<T> block_;  // never null
};

}  // namespace ewstrigd::config
