// SPDX-License-Identifier: Apache-2.0
// RenderJson: a small streaming writer (fixed key order comes from the call order) and one
// function per record type.
#include <array>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "fuzz/check/report.h"

namespace hvfuzz::check {
namespace {

// Writes pretty-printed JSON; containers opened with `single_line` stay on one line.
class JsonWriter {
 public:
  void BeginObject(bool single_line = false) { Open('{', single_line); }
  void EndObject() { Close('}'); }
  void BeginArray(bool single_line = false) { Open('[', single_line); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key) {
    BeforeValue();
    Quote(key);
    out_ += ": ";
    after_key_ = true;
  }
  void String(std::string_view s) {
    BeforeValue();
    Quote(s);
  }
  void Int(int64_t v) {
    BeforeValue();
    out_ += std::to_string(v);
  }
  void Uint(uint64_t v) {
    BeforeValue();
    out_ += std::to_string(v);
  }
  void Bool(bool v) {
    BeforeValue();
    out_ += v ? "true" : "false";
  }
  void Null() {
    BeforeValue();
    out_ += "null";
  }
  std::string Take() { return std::move(out_) + "\n"; }

 private:
  struct Level {
    bool first = true;
    bool single_line = false;
  };

  void Open(char c, bool single_line) {
    BeforeValue();
    out_ += c;
    levels_.push_back({true, single_line || (!levels_.empty() && levels_.back().single_line)});
  }
  void Close(char c) {
    Level level = levels_.back();
    levels_.pop_back();
    if (!level.first && !level.single_line) NewLine();
    out_ += c;
  }
  void NewLine() {
    out_ += '\n';
    out_.append(2 * levels_.size(), ' ');
  }
  void BeforeValue() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (levels_.empty()) return;
    Level& level = levels_.back();
    if (!level.first) out_ += level.single_line ? ", " : ",";
    level.first = false;
    if (!level.single_line) NewLine();
  }
  void Quote(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            std::array<char, 8> buf{};
            std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned char>(c));
            out_ += buf.data();
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }

  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

void WriteStrings(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  w.Key(key);
  w.BeginArray(/*single_line=*/true);
  for (const std::string& s : v) w.String(s);
  w.EndArray();
}

void WriteLockRef(JsonWriter& w, const LockRef& ref) {
  w.BeginObject();
  w.Key("class");
  w.String(ref.lock_class);
  w.Key("instance");
  w.String(ref.instance);
  w.Key("kind");
  w.String(sync::LockKindName(ref.kind));
  w.Key("mode");
  w.String(sync::AcquireModeName(ref.mode));
  w.Key("site");
  w.String(ref.site);
  WriteStrings(w, "frames", ref.frames);
  w.EndObject();
}

void WriteOptionalLockRef(JsonWriter& w, std::string_view key, const std::optional<LockRef>& r) {
  w.Key(key);
  if (r) {
    WriteLockRef(w, *r);
  } else {
    w.Null();
  }
}

void WriteDependency(JsonWriter& w, const Dependency& d) {
  w.BeginObject();
  w.Key("from");
  WriteLockRef(w, d.from);
  w.Key("to");
  WriteLockRef(w, d.to);
  w.Key("task");
  w.Int(d.task);
  w.Key("task_name");
  w.String(d.task_name);
  w.Key("step");
  w.Uint(d.step);
  w.EndObject();
}

void WriteTask(JsonWriter& w, const TaskSnapshot& t) {
  w.BeginObject();
  w.Key("task");
  w.Int(t.task);
  w.Key("name");
  w.String(t.name);
  w.Key("step");
  w.Uint(t.step);
  w.Key("finished");
  w.Bool(t.finished);
  WriteStrings(w, "frames", t.frames);
  w.Key("held");
  w.BeginArray();
  for (const LockRef& h : t.held) WriteLockRef(w, h);
  w.EndArray();
  WriteOptionalLockRef(w, "waiting_for", t.waiting_for);
  w.Key("wait_action");
  w.String(t.wait_action);
  w.Key("blocked_by");
  w.BeginArray(/*single_line=*/true);
  for (int id : t.blocked_by) w.Int(id);
  w.EndArray();
  w.EndObject();
}

void WriteStep(JsonWriter& w, const InterleavingStep& s) {
  w.BeginObject(/*single_line=*/true);
  w.Key("step");
  w.Uint(s.step);
  w.Key("task");
  w.Int(s.task);
  w.Key("action");
  w.String(s.action);
  w.Key("site");
  w.String(s.site);
  w.Key("blocks");
  w.Bool(s.blocks);
  w.EndObject();
}

void WriteReplay(JsonWriter& w, const ReplayInfo& r) {
  std::array<char, 24> seed{};
  std::snprintf(seed.data(), seed.size(), "0x%" PRIx64, r.seed);
  w.BeginObject();
  w.Key("crash_file");
  w.String(r.crash_file);
  w.Key("seed");
  w.String(seed.data());
  w.Key("strategy");
  w.String(r.strategy);
  w.Key("program_text");
  w.String(r.program_text);
  w.EndObject();
}

}  // namespace

std::string RenderJson(const Finding& f) {
  JsonWriter w;
  w.BeginObject();
  w.Key("kind");
  w.String(FindingKindName(f.kind));
  w.Key("title");
  w.String(f.title);
  w.Key("signature");
  w.String(f.Signature());
  w.Key("headline");
  w.String(f.headline);
  w.Key("task");
  w.Int(f.task);
  w.Key("task_name");
  w.String(f.task_name);
  w.Key("site");
  w.String(f.site);
  WriteStrings(w, "frames", f.frames);
  WriteOptionalLockRef(w, "acquiring", f.acquiring);
  w.Key("invariant");
  w.String(f.invariant);
  w.Key("cycle");
  w.BeginArray();
  for (const Dependency& d : f.cycle) WriteDependency(w, d);
  w.EndArray();
  w.Key("tasks");
  w.BeginArray();
  for (const TaskSnapshot& t : f.tasks) WriteTask(w, t);
  w.EndArray();
  w.Key("interleaving");
  w.BeginArray();
  for (const InterleavingStep& s : f.interleaving) WriteStep(w, s);
  w.EndArray();
  w.Key("replay");
  WriteReplay(w, f.replay);
  w.EndObject();
  return w.Take();
}

}  // namespace hvfuzz::check
