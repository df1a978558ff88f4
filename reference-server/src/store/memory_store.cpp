#include "store/memory_store.hpp"

#include <algorithm>
#include <cstring>

#include "pop3/dot_stuffing.hpp"

namespace pop3::server {

namespace {

class StringReader final : public MessageReader {
  public:
    explicit StringReader(std::shared_ptr<const std::string> content) : content_(std::move(content)) {}

    std::size_t read(std::span<char> out, std::error_code& ec) override {
        ec.clear();
        const std::size_t n = std::min(out.size(), content_->size() - pos_);
        std::memcpy(out.data(), content_->data() + pos_, n);
        pos_ += n;
        return n;
    }

  private:
    std::shared_ptr<const std::string> content_;
    std::size_t pos_ = 0;
};

}  // namespace

class MemoryStore::Drop final : public Maildrop {
  public:
    Drop(MemoryStore& store, std::string user, std::vector<MessageInfo> infos,
         std::vector<std::shared_ptr<const std::string>> contents)
        : store_(store), user_(std::move(user)), infos_(std::move(infos)), contents_(std::move(contents)) {}

    ~Drop() override {
        std::lock_guard lock(store_.mutex_);
        store_.accounts_[user_].locked = false;
    }

    Drop(const Drop&) = delete;
    Drop& operator=(const Drop&) = delete;

    const std::vector<MessageInfo>& messages() const noexcept override { return infos_; }

    std::unique_ptr<MessageReader> open(std::size_t number, std::error_code& ec) override {
        if (number == 0 || number > contents_.size()) {
            ec = StoreErrc::no_such_message;
            return nullptr;
        }
        ec.clear();
        return std::make_unique<StringReader>(contents_[number - 1]);
    }

    std::error_code commit(std::span<const std::size_t> deleted_numbers) override {
        std::lock_guard lock(store_.mutex_);
        auto& messages = store_.accounts_[user_].messages;
        // Messages are identified by their content pointer: those listed at lock time are exactly ours (mail added
        // during the session is kept).
        for (std::size_t number : deleted_numbers) {
            if (number == 0 || number > contents_.size()) return StoreErrc::no_such_message;
        }
        for (std::size_t number : deleted_numbers) {
            const auto& target = contents_[number - 1];
            std::erase_if(messages, [&](const Message& m) { return m.content == target; });
        }
        return {};
    }

  private:
    MemoryStore& store_;
    std::string user_;
    std::vector<MessageInfo> infos_;
    std::vector<std::shared_ptr<const std::string>> contents_;
};

void MemoryStore::add(std::string_view user, std::string content, std::string uid) {
    std::lock_guard lock(mutex_);
    auto it = accounts_.find(user);
    if (it == accounts_.end()) it = accounts_.emplace(std::string(user), Account{}).first;
    Account& account = it->second;
    if (uid.empty()) uid = "m" + std::to_string(account.next_uid);
    ++account.next_uid;
    Message message;
    message.info.size = pop3::size_as_sent(content);
    message.info.uid = std::move(uid);
    message.content = std::make_shared<const std::string>(std::move(content));
    account.messages.push_back(std::move(message));
}

std::vector<std::string> MemoryStore::contents(std::string_view user) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> result;
    if (auto it = accounts_.find(user); it != accounts_.end()) {
        for (const auto& m : it->second.messages)
            result.push_back(*m.content);
    }
    return result;
}

bool MemoryStore::locked(std::string_view user) const {
    std::lock_guard lock(mutex_);
    auto it = accounts_.find(user);
    return it != accounts_.end() && it->second.locked;
}

std::unique_ptr<Maildrop> MemoryStore::lock(std::string_view user, std::error_code& ec) {
    std::lock_guard lock(mutex_);
    auto it = accounts_.find(user);
    if (it == accounts_.end()) it = accounts_.emplace(std::string(user), Account{}).first;
    Account& account = it->second;
    if (account.locked) {
        ec = StoreErrc::in_use;
        return nullptr;
    }
    std::vector<MessageInfo> infos;
    std::vector<std::shared_ptr<const std::string>> contents;
    infos.reserve(account.messages.size());
    contents.reserve(account.messages.size());
    for (const auto& m : account.messages) {
        infos.push_back(m.info);
        contents.push_back(m.content);
    }
    account.locked = true;
    ec.clear();
    return std::make_unique<Drop>(*this, std::string(user), std::move(infos), std::move(contents));
}

}  // namespace pop3::server
