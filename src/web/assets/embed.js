// Kumbaya's comments for other sites: the loader a page includes with
//   <script type="module" src="https://blog.example/embed.js" async></script>
// It loads the <kumbaya-comments> component only once such an element is on the page.
const component = '__KUMBAYA_COMPONENT__';

const load = () => import(new URL(component, import.meta.url).href);

if (!customElements.get('kumbaya-comments')) {
  if (document.querySelector('kumbaya-comments')) load();
  else {
    const watcher = new MutationObserver(() => {
      if (!document.querySelector('kumbaya-comments')) return;
      watcher.disconnect();
      load();
    });
    watcher.observe(document.documentElement, { childList: true, subtree: true });
  }
}
