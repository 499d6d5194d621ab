// Loaded models, kept on the worker thread so a model is loaded once and reused by later jobs.
// Entries are type-erased shared_ptrs keyed by a string the loader builds (path + dtype + device,
// or image hash + prompt + model for a drag LoRA). Least recently used entries are evicted past
// the capacity (counted per kind: "model" entries are large, others small).
#pragma once
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>

namespace latentshop {

class ModelCache {
public:
  explicit ModelCache(std::size_t capacityPerKind = 1) : capacity_(capacityPerKind) {}

  // Returns the cached T under `key`, or calls `load`, caches and returns its result.
  template <class T>
  std::shared_ptr<T> getOrLoad(const std::string& kind, const std::string& key,
                               const std::function<std::shared_ptr<T>()>& load) {
    if (auto hit = find(kind, key, typeid(T))) return std::static_pointer_cast<T>(hit);
    std::shared_ptr<T> value = load();
    insert(kind, key, typeid(T), value);
    return value;
  }
  template <class T>
  std::shared_ptr<T> get(const std::string& kind, const std::string& key) {
    return std::static_pointer_cast<T>(find(kind, key, typeid(T)));
  }
  template <class T>
  void put(const std::string& kind, const std::string& key, std::shared_ptr<T> value) {
    insert(kind, key, typeid(T), std::move(value));
  }
  bool contains(const std::string& kind, const std::string& key) const;
  void evict(const std::string& kind, const std::string& key);
  void clear();
  std::size_t size() const;
  void setCapacityPerKind(std::size_t n);

private:
  struct Item {
    std::string kind;
    std::string key;
    std::type_index type;
    std::shared_ptr<void> value;
  };
  std::shared_ptr<void> find(const std::string& kind, const std::string& key, std::type_index type);
  void insert(const std::string& kind, const std::string& key, std::type_index type,
              std::shared_ptr<void> value);

  mutable std::mutex mutex_;
  std::list<Item> items_;  // most recently used first
  std::size_t capacity_;
};

}  // namespace latentshop
