#include "store/fault_store.hpp"

#include <algorithm>

namespace pop3::server {

namespace {

class FaultReader final : public MessageReader {
  public:
    FaultReader(std::unique_ptr<MessageReader> inner, std::uint64_t fail_after)
        : inner_(std::move(inner)), left_(fail_after) {}

    std::size_t read(std::span<char> out, std::error_code& ec) override {
        if (left_ == 0) {
            ec = StoreErrc::temporary;
            return 0;
        }
        const std::size_t n =
            inner_->read(out.first(static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left_))), ec);
        if (n == 0 && !ec) return 0;  // the message ended before the failure point
        left_ -= n;
        return n;
    }

  private:
    std::unique_ptr<MessageReader> inner_;
    std::uint64_t left_;
};

}  // namespace

class FaultStore::Drop final : public Maildrop {
  public:
    Drop(FaultStore& store, std::unique_ptr<Maildrop> inner) : store_(store), inner_(std::move(inner)) {}

    const std::vector<MessageInfo>& messages() const noexcept override { return inner_->messages(); }

    std::unique_ptr<MessageReader> open(std::size_t number, std::error_code& ec) override {
        if (store_.faults.open_error) {
            ec = store_.faults.open_error;
            return nullptr;
        }
        auto reader = inner_->open(number, ec);
        if (!reader || store_.faults.read_fail_after == std::numeric_limits<std::uint64_t>::max()) return reader;
        return std::make_unique<FaultReader>(std::move(reader), store_.faults.read_fail_after);
    }

    std::error_code commit(std::span<const std::size_t> deleted_numbers) override {
        ++store_.commits_;
        if (store_.faults.commit_error) return store_.faults.commit_error;
        return inner_->commit(deleted_numbers);
    }

  private:
    FaultStore& store_;
    std::unique_ptr<Maildrop> inner_;
};

std::unique_ptr<Maildrop> FaultStore::lock(std::string_view user, std::error_code& ec) {
    if (faults.lock_error) {
        ec = faults.lock_error;
        return nullptr;
    }
    auto inner = inner_.lock(user, ec);
    if (!inner) return nullptr;
    return std::make_unique<Drop>(*this, std::move(inner));
}

}  // namespace pop3::server
