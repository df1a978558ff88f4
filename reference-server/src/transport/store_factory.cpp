#include "transport/store_factory.hpp"

#include <system_error>

#include "store/maildir_store.hpp"
#include "store/mbox_store.hpp"
#include "store/memory_store.hpp"

namespace pop3::server {

std::shared_ptr<Store> make_store(const StoreConfig& config, std::string& error) {
    if (config.kind == StoreKind::memory) return std::make_shared<MemoryStore>();
    std::error_code ec;
    if (!std::filesystem::is_directory(config.root, ec)) {
        error =
            "the " + std::string(to_string(config.kind)) + " store root '" + config.root.string() + "' is not a folder";
        return nullptr;
    }
    if (config.kind == StoreKind::maildir) return std::make_shared<MaildirStore>(config.root);
    return std::make_shared<MboxStore>(config.root);
}

}  // namespace pop3::server
