// SPDX-License-Identifier: Apache-2.0
#include "triage/pictures.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "fuzz/check/report.h"

namespace hvfuzz::triage {
namespace {

std::string DotEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string EdgeLabel(const check::Dependency& d) {
  std::string label = d.task >= 0 ? "t" + std::to_string(d.task) : "";
  if (d.step != 0) label += " step " + std::to_string(d.step);
  // Nodes are classes; how each end was held or taken is part of the edge.
  const std::string from_mode = d.from.lock_class.empty() ? "" : check::LockModeSuffix(d.from);
  const std::string to_mode = check::LockModeSuffix(d.to);
  if (!from_mode.empty() || !to_mode.empty()) {
    label += "\\n" + (from_mode.empty() ? std::string("(held)") : from_mode.substr(1)) + " -> " +
             (to_mode.empty() ? std::string("(taken)") : to_mode.substr(1));
  }
  if (!d.to.site.empty()) label += "\\n" + DotEscape(d.to.site);
  if (!d.to.frames.empty()) label += "\\n" + DotEscape(d.to.frames.front());
  return label;
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string LockGraphDot(const check::Finding& f) {
  std::ostringstream o;
  o << "// " << f.title << "\n";
  o << "digraph hvfuzz {\n";
  o << "  label=\"" << DotEscape(f.title) << "\";\n  labelloc=t;\n";
  o << "  node [shape=box, fontname=monospace];\n  edge [fontname=monospace, fontsize=10];\n";
  std::vector<std::string> nodes;
  auto node = [&](const std::string& cls) {
    auto it = std::find(nodes.begin(), nodes.end(), cls);
    if (it != nodes.end()) return "n" + std::to_string(it - nodes.begin());
    nodes.push_back(cls);
    o << "  n" << nodes.size() - 1 << " [label=\"" << DotEscape(cls) << "\"];\n";
    return "n" + std::to_string(nodes.size() - 1);
  };
  if (!f.cycle.empty()) {
    for (size_t i = 0; i < f.cycle.size(); ++i) {
      const check::Dependency& d = f.cycle[i];
      // A waiting writer queued ahead holds nothing: draw it as the task itself.
      const std::string from = d.from.lock_class.empty() ? "(queued: t" + std::to_string(d.task) + ")"
                                                         : d.from.lock_class;
      const std::string a = node(from);
      const std::string b = node(d.to.lock_class);
      o << "  " << a << " -> " << b << " [label=\"" << EdgeLabel(d) << "\"";
      if (i + 1 == f.cycle.size()) o << ", color=red, fontcolor=red";
      o << "];\n";
    }
  } else {
    // No cycle: the triggering task's held chain, then what it acquired.
    std::vector<check::LockRef> chain;
    for (const check::TaskSnapshot& t : f.tasks) {
      if (t.task == f.task) chain = t.held;
    }
    if (f.acquiring.has_value()) chain.push_back(*f.acquiring);
    std::string prev;
    for (size_t i = 0; i < chain.size(); ++i) {
      const std::string n = node(chain[i].lock_class + check::LockModeSuffix(chain[i]));
      if (!prev.empty()) {
        o << "  " << prev << " -> " << n;
        if (i + 1 == chain.size() && f.acquiring.has_value()) o << " [color=red]";
        o << ";\n";
      }
      prev = n;
    }
    if (chain.empty()) o << "  n0 [label=\"(no locks involved)\"];\n";
  }
  o << "}\n";
  return o.str();
}

std::string SwimlaneSvg(const check::Finding& f) {
  std::set<int> task_set;
  for (const check::InterleavingStep& s : f.interleaving) task_set.insert(s.task);
  for (const check::TaskSnapshot& t : f.tasks) task_set.insert(t.task);
  const std::vector<int> tasks(task_set.begin(), task_set.end());
  std::map<int, size_t> column;
  size_t widest = 20;
  for (const check::InterleavingStep& s : f.interleaving) {
    widest = std::max(widest, s.action.size() + (s.blocks ? 10 : 0));  // "  <- blocks"
  }
  const int kCharW = 7, kRowH = 18, kStepW = 60, kTop = 50;
  const int col_w = static_cast<int>(widest) * kCharW + 24;
  for (size_t i = 0; i < tasks.size(); ++i) column[tasks[i]] = i;
  const int width = kStepW + col_w * static_cast<int>(std::max<size_t>(tasks.size(), 1)) + 10;
  const int height = kTop + kRowH * static_cast<int>(f.interleaving.size()) + 20;
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" font-family=\"monospace\" font-size=\"12\">\n";
  o << "<title>" << HtmlEscape(f.title) << "</title>\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"4\" y=\"16\" font-weight=\"bold\">" << HtmlEscape(f.title) << "</text>\n";
  o << "<text x=\"4\" y=\"" << kTop - 10 << "\">step</text>\n";
  for (size_t i = 0; i < tasks.size(); ++i) {
    const int x = kStepW + col_w * static_cast<int>(i);
    std::string name = "t" + std::to_string(tasks[i]);
    for (const check::TaskSnapshot& t : f.tasks) {
      if (t.task == tasks[i] && !t.name.empty() && t.name != name) name += " (" + t.name + ")";
    }
    o << "<text x=\"" << x + 4 << "\" y=\"" << kTop - 10 << "\" font-weight=\"bold\">"
      << HtmlEscape(name) << "</text>\n";
    o << "<line x1=\"" << x << "\" y1=\"" << kTop - 4 << "\" x2=\"" << x << "\" y2=\""
      << height - 10 << "\" stroke=\"#bbb\"/>\n";
  }
  for (size_t r = 0; r < f.interleaving.size(); ++r) {
    const check::InterleavingStep& s = f.interleaving[r];
    const int y = kTop + kRowH * static_cast<int>(r) + 12;
    o << "<text x=\"4\" y=\"" << y << "\" fill=\"#666\">" << s.step << "</text>\n";
    const int x = kStepW + col_w * static_cast<int>(column[s.task]);
    o << "<rect x=\"" << x + 2 << "\" y=\"" << y - 12 << "\" width=\"" << col_w - 6
      << "\" height=\"" << kRowH - 3 << "\" rx=\"3\" fill=\"" << (s.blocks ? "#fdd" : "#eef")
      << "\" stroke=\"" << (s.blocks ? "#c00" : "#99b") << "\"><title>"
      << HtmlEscape(s.site.empty() ? "-" : s.site) << "</title></rect>\n";
    o << "<text x=\"" << x + 6 << "\" y=\"" << y << "\"" << (s.blocks ? " fill=\"#c00\"" : "")
      << ">" << HtmlEscape(s.action) << (s.blocks ? "  &lt;- blocks" : "") << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace hvfuzz::triage
