#include "engine/runtime/model_cache.h"

#include <algorithm>

namespace latentshop {

std::shared_ptr<void> ModelCache::find(const std::string& kind, const std::string& key,
                                       std::type_index type) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = items_.begin(); it != items_.end(); ++it) {
    if (it->kind == kind && it->key == key && it->type == type) {
      items_.splice(items_.begin(), items_, it);  // most recently used first
      return items_.front().value;
    }
  }
  return nullptr;
}

void ModelCache::insert(const std::string& kind, const std::string& key, std::type_index type,
                        std::shared_ptr<void> value) {
  std::lock_guard<std::mutex> lock(mutex_);
  items_.remove_if([&](const Item& i) { return i.kind == kind && i.key == key; });
  items_.push_front(Item{kind, key, type, std::move(value)});
  std::size_t sameKind = 0;
  for (auto it = items_.begin(); it != items_.end();) {
    if (it->kind == kind && ++sameKind > capacity_) {
      it = items_.erase(it);
    } else {
      ++it;
    }
  }
}

bool ModelCache::contains(const std::string& kind, const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::any_of(items_.begin(), items_.end(),
                     [&](const Item& i) { return i.kind == kind && i.key == key; });
}

void ModelCache::evict(const std::string& kind, const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  items_.remove_if([&](const Item& i) { return i.kind == kind && i.key == key; });
}

void ModelCache::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  items_.clear();
}

std::size_t ModelCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return items_.size();
}

void ModelCache::setCapacityPerKind(std::size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  capacity_ = std::max<std::size_t>(1, n);
}

}  // namespace latentshop
