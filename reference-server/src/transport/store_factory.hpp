#pragma once
// Builds the maildrop store a configuration names.

#include <memory>
#include <string>

#include "config/server_config.hpp"
#include "store/store.hpp"

namespace pop3::server {

/// A memory, Maildir or mbox store for `config`; nullptr and a reason when the root is unusable.
std::shared_ptr<Store> make_store(const StoreConfig& config, std::string& error);

}  // namespace pop3::server
