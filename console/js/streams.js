export function render(main) {
  main.append(document.createElement('h1'));
  main.firstChild.textContent = 'Streams';
  return () => {};
}
