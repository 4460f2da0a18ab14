// The book's own script (not third-party code).
// ipywidgets' HTML views typeset with the MathJax 2 call MathJax.Hub.Queue(["Typeset", MathJax.Hub, el]);
// the book loads MathJax 3, so route that call to MathJax 3's typesetPromise once MathJax has started.
document.addEventListener("DOMContentLoaded", function () {
  var mj = window.MathJax;
  if (mj && !mj.Hub) {
    mj.Hub = {
      Queue: function (cmd) {
        var el = Array.isArray(cmd) ? cmd[2] : null;
        if (el && mj.typesetPromise) { mj.typesetPromise([el]).catch(function () {}); }
      },
    };
  }
});
