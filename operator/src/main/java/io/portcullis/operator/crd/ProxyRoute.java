package io.portcullis.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.PrinterColumnFormat;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The ProxyRoute custom resource (portcullis.io/v1alpha1): Portcullis's rich routing API. The CRD
 * in {@code crds/} is generated from this model (ProxyRouteCrdTest keeps it in sync).
 */
@Group("portcullis.io")
@Version("v1alpha1")
@Kind("ProxyRoute")
@Plural("proxyroutes")
@ShortNames("pxr")
@AdditionalPrinterColumn(name = "Hosts", jsonPath = ".spec.hosts", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Accepted",
    jsonPath = ".status.conditions[?(@.type==\"Accepted\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Programmed",
    jsonPath = ".status.conditions[?(@.type==\"Programmed\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE,
    format = PrinterColumnFormat.NONE)
public class ProxyRoute extends CustomResource<ProxyRouteSpec, ProxyRouteStatus>
    implements Namespaced {}
