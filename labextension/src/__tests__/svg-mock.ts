// What an imported SVG or stylesheet is in jest: the icon's markup, as JupyterLab's raw-loader would give it.
export = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"></svg>';
