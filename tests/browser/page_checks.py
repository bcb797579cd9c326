"""Checks run in the page, shared by the browser tests that walk many pages."""

# Links and buttons whose words come apart on screen: a flex (or grid) box makes each run of
# text and each element in it (a <bdi> name) an item of its own and drops the spaces between
# them, so "Compare with <bdi>Partners 2026</bdi>" read "Compare withPartners 2026". Such text
# goes in one <span>. (A visually hidden span for screen readers is not on screen: left out.)
WORDS_COME_APART = """() => [...document.querySelectorAll('a, button')].filter(e => {
  const display = getComputedStyle(e).display;
  if (e.offsetParent === null || !(display.includes('flex') || display.includes('grid'))) return false;
  const items = [...e.childNodes].filter(n => n.nodeType === Node.TEXT_NODE
    ? n.textContent.trim() !== '' : n.nodeType === Node.ELEMENT_NODE && !n.classList.contains('visually-hidden'));
  return items.length > 1 && items.some(n => n.nodeType === Node.TEXT_NODE);
}).map(e => e.textContent.trim())"""
