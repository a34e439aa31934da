// SPDX-License-Identifier: Apache-2.0
#include "triage/index_html.h"

#include <set>
#include <sstream>

#include "triage/pictures.h"

namespace hvfuzz::triage {

std::string ProgramSize::ToString() const {
  return std::to_string(ops) + " ops, " + std::to_string(threads) +
         (threads == 1 ? " thread, " : " threads, ") + std::to_string(schedule_bytes) +
         " schedule bytes";
}

std::string IndexHtml(const std::vector<IndexBucket>& buckets, const std::vector<IndexLost>& lost) {
  int crashes = static_cast<int>(lost.size());
  for (const IndexBucket& b : buckets) crashes += static_cast<int>(b.members.size());
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>hvfuzz triage</title>\n"
    << "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
       "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
       "code{font-size:90%}.bad{color:#a00}</style></head><body>\n";
  o << "<h1>hvfuzz triage</h1>\n<p>" << crashes << " crash files: " << buckets.size()
    << " buckets, " << lost.size() << " not reproducible or bad input.</p>\n";
  o << "<h2>Buckets</h2>\n<table>\n<tr><th>bucket</th><th>title / signature</th><th>crash "
       "files</th><th>engines</th><th>switches</th><th>original</th><th>minimized</th>"
       "<th>replay</th><th>files</th></tr>\n";
  for (const IndexBucket& b : buckets) {
    std::set<std::string> engines;
    for (const IndexMember& m : b.members) engines.insert(m.engine + "/" + m.target);
    std::string engine_list;
    for (const std::string& e : engines) engine_list += (engine_list.empty() ? "" : ", ") + e;
    const std::string k = HtmlEscape(b.key);
    o << "<tr><td><a href=\"" << k << "/report.txt\">" << k << "</a></td><td>"
      << HtmlEscape(b.title) << "<br><code>" << HtmlEscape(b.signature) << "</code></td><td>"
      << b.members.size() << "<details><summary>list</summary>";
    for (const IndexMember& m : b.members) {
      o << "<code>" << HtmlEscape(m.path) << "</code> (" << HtmlEscape(m.how) << ")<br>";
    }
    o << "</details></td><td>" << HtmlEscape(engine_list) << "</td><td>"
      << HtmlEscape(b.bugs.empty() ? "(none)" : b.bugs) << "</td><td>"
      << HtmlEscape(b.original.ToString()) << "</td><td>" << HtmlEscape(b.minimized.ToString())
      << "</td><td" << (b.identical_runs == b.identity_runs ? "" : " class=\"bad\"") << ">"
      << b.identical_runs << "/" << b.identity_runs << " identical</td><td>"
      << "<a href=\"" << k << "/program.hvp\">program</a> "
      << "<a href=\"" << k << "/report.json\">json</a> "
      << "<a href=\"" << k << "/lock-graph." << (b.has_svg_graph ? "svg" : "dot")
      << "\">lock graph</a> "
      << "<a href=\"" << k << "/interleaving.svg\">interleaving</a> "
      << "<a href=\"" << k << "/original.hvp\">original</a></td></tr>\n";
  }
  o << "</table>\n";
  o << "<h2>Not reproducible or bad input</h2>\n";
  if (lost.empty()) {
    o << "<p>none</p>\n";
  } else {
    o << "<table>\n<tr><th>crash file</th><th>status</th><th>engine/target</th><th>backend</th>"
         "<th>switches</th><th>why</th></tr>\n";
    for (const IndexLost& l : lost) {
      o << "<tr><td><code>" << HtmlEscape(l.path) << "</code></td><td class=\"bad\">"
        << HtmlEscape(l.status) << "</td><td>" << HtmlEscape(l.engine + "/" + l.target)
        << "</td><td>" << HtmlEscape(l.backend) << "</td><td>"
        << HtmlEscape(l.bugs.empty() ? "(none)" : l.bugs) << "</td><td>" << HtmlEscape(l.reason)
        << "</td></tr>\n";
    }
    o << "</table>\n";
  }
  o << "</body></html>\n";
  return o.str();
}

}  // namespace hvfuzz::triage
